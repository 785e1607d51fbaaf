#!/usr/bin/env node
// Memory of one upload into S3 storage: streams a file of --mb MiB (64 KiB chunks, as a network stream
// delivers them) through S3DocumentStorage.write to MockS3Server (the SigV4-verifying S3 of libs/testing) in a
// child process, sampling this process's memory every 5 ms. Prints the peak growth of ArrayBuffer memory
// (where file bytes live) and RSS over the idle baseline. With --expose-gc each sample runs a full GC first, so
// the figure is the memory still referenced (without, it includes buffers already dropped but not yet
// collected). Needs `npm run build`.
//   node --expose-gc bench/documents/storage-memory.mjs [--mb 48]
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const dist = (p) => resolve(root, 'dist', p);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const MB = Number(arg('mb', '48'));

if (process.argv[2] === '--serve') {
  const { MockS3Server } = require(dist('libs/testing/src/mock-s3/mock-s3-server.js'));
  const s3 = await MockS3Server.start({ buckets: ['bench'] });
  process.send({ url: s3.url, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
} else {
  const child = fork(import.meta.filename, ['--serve'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const server = await new Promise((res) => child.once('message', res));
  const { S3DocumentStorage, S3_PART_BYTES, S3_PARTS_IN_FLIGHT } = require(dist('libs/persistence/src/repositories/s3-document-storage.js'));
  // The rows are not what is measured: a DataSource that answers every query with no rows.
  const ds = { query: async () => [] };
  const storage = new S3DocumentStorage(ds, {
    kind: 's3', bucket: 'bench', prefix: '', endpoint: server.url, region: 'us-east-1', forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  async function* source(total) {
    for (let sent = 0; sent < total; sent += 64 * 1024) yield Buffer.alloc(Math.min(64 * 1024, total - sent), sent & 0xff);
  }
  global.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const base = process.memoryUsage();
  let peakAb = 0;
  let peakRss = 0;
  const sample = setInterval(() => {
    global.gc?.();
    const m = process.memoryUsage();
    peakAb = Math.max(peakAb, m.arrayBuffers - base.arrayBuffers);
    peakRss = Math.max(peakRss, m.rss - base.rss);
  }, global.gc ? 25 : 5);
  const t0 = performance.now();
  const stored = await storage.write('00000000-0000-0000-0000-000000000001', source(MB * 1024 * 1024), {
    jobId: '00000000-0000-0000-0000-000000000002', kind: 'upload', contentType: 'application/pdf', maxBytes: Number.MAX_SAFE_INTEGER,
  });
  const ms = performance.now() - t0;
  clearInterval(sample);
  const mib = (b) => (b / 1024 / 1024).toFixed(1);
  console.log(`upload ${mib(stored.size)} MiB to S3 (part ${mib(S3_PART_BYTES)} MiB, ${S3_PARTS_IN_FLIGHT} in flight) in ${ms.toFixed(0)} ms (${((stored.size / 1024 / 1024) / (ms / 1000)).toFixed(1)} MiB/s)`);
  console.log(`peak growth over idle${global.gc ? ' (live, GC before each sample)' : ' (without forced GC)'}: ArrayBuffers ${mib(peakAb)} MiB, RSS ${mib(peakRss)} MiB`);
  storage.onApplicationShutdown();
  child.kill();
}

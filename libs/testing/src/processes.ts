import { rawEnv } from '@switchyard/config';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The build output directory, whether this file runs from source (tests) or from dist (bench scripts). */
const distRoot = (): string => {
  const repoRoot = resolve(__dirname, '../../..');
  return repoRoot.endsWith('/dist') || repoRoot.endsWith('\\dist') ? repoRoot : resolve(repoRoot, 'dist');
};

/** A free TCP port on loopback (bound and released; fine for tests that start a server right after). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => res(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Runs a built entry point (`dist/apps/<app>/src/main.js`) as a real process and waits for /healthz. */
export async function startServiceProcess(
  app: 'router' | 'collector' | 'documents',
  env: Record<string, string>,
  port: number,
): Promise<ServiceProcess> {
  const portVar = { router: 'ROUTER_PORT', collector: 'COLLECTOR_PORT', documents: 'DOCUMENTS_PORT' }[app];
  const entry = resolve(distRoot(), 'apps', app, 'src/main.js');
  const child = spawn(process.execPath, [entry], {
    env: { PATH: rawEnv()['PATH'] ?? '', ...env, [portVar]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Generous: a loaded 2-core machine (parallel suites, other processes) can take a while to start a Nest app.
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app} did not become healthy:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    url,
    output: () => out,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res(child.exitCode);
        child.once('exit', (code) => res(code));
        child.kill('SIGTERM');
      }),
  };
}

/** Runs an entry point to completion and returns its exit code and output. */
export function runProcess(entry: string, env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [entry], { env: { PATH: rawEnv()['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(t);
      res({ code, output });
    });
  });
}

export const distEntry = (app: string, file = 'main.js') => resolve(distRoot(), 'apps', app, 'src', file);

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait (graceful: current jobs finish). */
  stop: () => Promise<number | null>;
  /** SIGKILL: a crash, leaving jobs locked until they stall. */
  kill: () => Promise<void>;
}

/**
 * Runs the documents worker entry (`dist/apps/documents/src/worker.js`) and waits until its processors are ready;
 * `nodeArgs` go before the entry (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). The timeout is as generous
 * as startServiceProcess's: a loaded 2-core machine can take that long to start a Nest app.
 */
export async function startWorkerProcess(env: Record<string, string>, timeoutMs = 45_000, nodeArgs: string[] = []): Promise<WorkerProcess> {
  const entry = resolve(distRoot(), 'apps/documents/src/worker.js');
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    env: { PATH: rawEnv()['PATH'] ?? '', ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + timeoutMs;
  while (!out.includes('documents worker started')) {
    if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

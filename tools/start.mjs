#!/usr/bin/env node
// `npm start`: build, apply pending migrations, then run router, collector, documents and the documents
// worker in the foreground as one process group. Ctrl-C (or SIGTERM) stops all of them gracefully.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!process.argv.includes('--no-build') || !existsSync(resolve(root, 'dist'))) step('npm', ['run', '-s', 'build']);
step(process.execPath, ['dist/tools/migrate.js', 'up']);

// Entry points and the Node flags each service runs with (the same everywhere a service is started).
const services = JSON.parse(readFileSync(resolve(root, 'tools/services.json'), 'utf8'));
const children = new Map();
let stopping = false;

for (const [name, { entry, nodeArgs }] of Object.entries(services).filter(([name]) => !name.startsWith('$'))) {
  const child = spawn(process.execPath, [...nodeArgs, entry], { cwd: root, stdio: 'inherit', env: { LOG_PRETTY: process.stdout.isTTY ? 'true' : 'false', ...process.env } });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping the others`);
      stop(code || 1);
    } else if (children.size === 0) process.exit(process.exitCode ?? 0);
  });
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 10_000).unref();
  if (children.size === 0) process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

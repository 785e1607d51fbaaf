#!/usr/bin/env node
// `npm run quickstart`: everything a fresh machine needs, then the services in the foreground.
//  1. install dependencies when node_modules is missing
//  2. write .env with a generated admin token and master key (only if there is no .env)
//  3. build, create the database, apply migrations
//  4. create a demo organization, project and access key (once; the key is printed once), and connect the
//     provider keys found in the environment or .env (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY,
//     MISTRAL_API_KEY, GROQ_API_KEY, an answering OLLAMA_BASE_URL): tools/demo-connections.ts, run by `switchyard demo`
//  5. print the console's URL (and the admin token to sign in with, when this run generated it)
//  6. run router, collector, documents and the worker (tools/start.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseDotenv } from 'dotenv';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
  return r;
};

if (!existsSync(resolve(root, 'node_modules'))) {
  console.log('[quickstart] installing dependencies');
  run('npm', ['install', '--no-audit', '--no-fund']);
}
const envFile = resolve(root, '.env');
let generatedToken = null;
if (!existsSync(envFile)) {
  generatedToken = `sya_${randomBytes(24).toString('base64url')}`;
  writeFileSync(
    envFile,
    [
      '# Written by npm run quickstart. Keep it secret.',
      `GATEWAY_ADMIN_TOKEN=${generatedToken}`,
      `GATEWAY_MASTER_KEY=${randomBytes(32).toString('base64')}`,
      'GATEWAY_MASTER_KEY_ID=k1',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  console.log('[quickstart] wrote .env with a new admin token and master key');
}
run('npm', ['run', '-s', 'build']);
run(process.execPath, ['dist/tools/migrate.js', 'up']);
run(process.execPath, ['bin/switchyard.js', 'demo']);
const dotenv = { ...parseDotenv(readFileSync(envFile)), ...process.env };
const routerUrl = (dotenv.ROUTER_PUBLIC_URL ?? `http://127.0.0.1:${dotenv.ROUTER_PORT ?? 8080}`).replace(/\/+$/, '');
console.log(`[quickstart] console: ${routerUrl}/console/`);
console.log(
  generatedToken
    ? `[quickstart] sign in with the admin token (also in .env, keep it secret): ${generatedToken}`
    : '[quickstart] sign in with GATEWAY_ADMIN_TOKEN from .env (or an organization admin key)',
);
// The services run in the foreground; a signal to this process (not only Ctrl-C to the group) stops them too.
const services = spawn(process.execPath, ['tools/start.mjs', '--no-build'], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => services.kill(signal));
services.on('exit', (code) => process.exit(code ?? 0));

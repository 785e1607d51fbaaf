#!/usr/bin/env node
// The Switchyard CLI (`npx switchyard --help`). Runs the compiled tools/cli from dist (built by `npm install`).
const { existsSync } = require('node:fs');
const { resolve } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = resolve(__dirname, '..');
const entry = resolve(root, 'dist/tools/cli.js');
if (!existsSync(entry)) {
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
require(entry);

import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envSchema } from './config.schema';

describe('configuration documentation', () => {
  it('documents every environment variable the services read', () => {
    const root = resolve(__dirname, '../../..');
    const docs = [readFileSync(resolve(root, 'README.md'), 'utf8'), ...readdirSync(resolve(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => readFileSync(resolve(root, 'docs', f), 'utf8'))].join('\n');
    const undocumented = Object.keys(envSchema.shape).filter((name) => !docs.includes(name));
    expect(undocumented).toEqual([]);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { AppConfig } from '@switchyard/config';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` puts the console (vite's outDir), whether the router runs from dist or from source. */
export function consoleDir(): string {
  const root = resolve(__dirname, '../../../..');
  return root.endsWith('/dist') ? resolve(root, 'console') : resolve(root, 'dist/console');
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

interface StaticFile {
  body: Buffer;
  type: string;
}

/** Every file of the built console, read once at start-up (a few MB; the files change only with a new build). */
function readBuild(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(root, path), { body: readFileSync(path), type: TYPES[extname(entry.name)] ?? 'application/octet-stream' });
    }
  };
  if (existsSync(resolve(root, 'index.html'))) walk(root);
  return files;
}

const notFound = (reply: FastifyReply, message: string, code: string) =>
  reply.code(404).send({ error: { message, type: 'invalid_request_error', param: null, code } });

/**
 * The console's static files under `/console` (docs/console.md): Fastify routes, not raw routes, so the chat hot
 * path does not see them. No authentication (the files hold no data; the app signs in against the APIs). Hashed
 * files under `assets/` are cached for a year; `index.html` is revalidated on every load, and every other path
 * under `/console/` is a client route answered with it. `/console/config.json` tells the app where the collector
 * and documents service are. Served from memory (@fastify/static's ESM-only content-disposition cannot be
 * required by Jest's module runtime, which every in-process router test uses).
 */
export function registerConsole(fastify: FastifyInstance, config: AppConfig, root = consoleDir()): void {
  const files = readBuild(root);
  const runtime = { collector_url: config.console.collectorUrl, documents_url: config.console.documentsUrl };
  const index = (reply: FastifyReply) => {
    const html = files.get('index.html');
    if (!html) return notFound(reply, 'The console is not built: run `npm run build`.', 'console_not_built');
    return reply.header('cache-control', 'no-cache').type(html.type).send(html.body);
  };
  fastify.get('/console', (_req, reply) => reply.redirect('/console/', 302));
  fastify.get('/console/', (_req, reply) => index(reply));
  fastify.get('/console/config.json', (_req, reply) => reply.header('cache-control', 'no-cache').send(runtime));
  fastify.get<{ Params: { '*': string } }>('/console/*', (req, reply) => {
    const path = req.params['*'];
    if (!path.startsWith('assets/')) return index(reply);
    const file = files.get(path);
    if (!file) return notFound(reply, `No console asset '${path}'.`, 'not_found');
    return reply.header('cache-control', IMMUTABLE).type(file.type).send(file.body);
  });
}

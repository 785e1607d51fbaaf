import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { AppConfig } from '@switchyard/config';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `npm run build` puts the console (vite's outDir), whether the router runs from dist or from source. */
export function consoleDir(): string {
  const root = resolve(__dirname, '../../../..');
  return root.endsWith('/dist') ? resolve(root, 'console') : resolve(root, 'dist/console');
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The console's static files under `/console` (docs/console.md): Fastify routes, not raw routes, so the chat hot
 * path does not see them. No authentication (the files hold no data; the app signs in against the APIs). Hashed
 * files under `assets/` are cached for a year; `index.html` is revalidated on every load, and every other path
 * under `/console/` is a client route answered with it. `/console/config.json` tells the app where the collector
 * and documents service are.
 */
export async function registerConsole(fastify: FastifyInstance, config: AppConfig, root = consoleDir()): Promise<void> {
  const built = existsSync(resolve(root, 'index.html'));
  await fastify.register(fastifyStatic, { root, serve: false });
  const runtime = { collector_url: config.console.collectorUrl, documents_url: config.console.documentsUrl };
  const index = (reply: FastifyReply) => {
    if (!built) {
      return reply
        .code(404)
        .send({ error: { message: 'The console is not built: run `npm run build`.', type: 'invalid_request_error', param: null, code: 'console_not_built' } });
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile('index.html', { cacheControl: false });
  };
  fastify.get('/console', (_req, reply) => reply.redirect('/console/', 302));
  fastify.get('/console/', (_req, reply) => index(reply));
  fastify.get('/console/config.json', (_req, reply) => reply.header('cache-control', 'no-cache').send(runtime));
  fastify.get<{ Params: { '*': string } }>('/console/*', (req, reply) => {
    const path = req.params['*'];
    if (path.startsWith('assets/')) {
      if (!built || !existsSync(resolve(root, path)) || !resolve(root, path).startsWith(`${root}/`)) {
        return reply.code(404).send({ error: { message: `No console asset '${path}'.`, type: 'invalid_request_error', param: null, code: 'not_found' } });
      }
      return reply.header('cache-control', IMMUTABLE).sendFile(path, { cacheControl: false });
    }
    return index(reply);
  });
}

// The floor: the least a Node proxy can do (Fastify in, undici out, JSON parse and re-serialize, no auth,
// no validation, no routing). Run by run.mjs with --floor so the router's overhead can be read against it.
// It gets the router's AsyncResource#bind fix too, so that the two differ only in what the router does.
import { createRequire } from 'node:module';
import Fastify from 'fastify';
import { Pool } from 'undici';

createRequire(import.meta.url)('../../dist/libs/http/src/app/async-resource-bind.js').installLeanAsyncResourceBind();

const [, , port, upstream] = process.argv;
const pool = new Pool(upstream, { connections: 256 });
const app = Fastify({ logger: false });
app.post('/v1/chat/completions', async (req, reply) => {
  const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(req.body) });
  if (req.body.stream) {
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    for await (const chunk of res.body) reply.raw.write(chunk);
    reply.raw.end();
    return reply;
  }
  return res.body.json();
});
app.get('/healthz', async () => ({ ok: true }));
await app.listen({ port: Number(port), host: '127.0.0.1' });

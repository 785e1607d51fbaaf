import { createServer, type Server } from 'node:http';
import { request } from 'undici';
import { createOutboundAgent, isPrivateAddressError, PrivateAddressError } from './outbound-agent';

describe('the outbound agent', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('refuses loopback, private and link-local destinations, by IP literal or by name, before connecting', async () => {
    const agent = createOutboundAgent({ allowPrivate: false, connectTimeoutMs: 2000 });
    try {
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`, 'http://169.254.169.254/latest', 'http://10.0.0.1/']) {
        const err = await request(url, { dispatcher: agent }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(PrivateAddressError);
        expect(isPrivateAddressError(err)).toBe(true);
      }
      expect(connections).toBe(0);
    } finally {
      await agent.close();
    }
  });

  it('connects to them when private destinations are allowed', async () => {
    const agent = createOutboundAgent({ allowPrivate: true });
    try {
      const res = await request(`http://localhost:${port}/`, { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('ok');
    } finally {
      await agent.close();
    }
  });
});

import { createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeldEnd } from './held-end';

describe('HeldEnd', () => {
  let server: Server;
  let port: number;
  let onRequest: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((_req, res) => onRequest(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  /** Sends a request; resolves with the body and the time its response began. */
  const get = () =>
    new Promise<{ body: string; at: number }>((resolve, reject) => {
      request({ port, host: '127.0.0.1' }, (res) => {
        const at = Date.now();
        let body = '';
        res.on('data', (d) => (body += d)).on('end', () => resolve({ body, at }));
      })
        .on('error', reject)
        .end();
    });

  it('keeps the end of the answer (headers and body) until uncork, then sends it as it was called', async () => {
    let release = 0;
    onRequest = (res) => {
      const gate = new HeldEnd(res);
      gate.cork();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('done');
      expect(res.writableEnded).toBe(false);
      setTimeout(() => {
        release = Date.now();
        gate.uncork();
        expect(res.writableEnded).toBe(true);
      }, 150);
    };
    const { body, at } = await get();
    expect(body).toBe('done');
    expect(at).toBeGreaterThanOrEqual(release);
  });

  it('does nothing at uncork when the end was not called meanwhile, and the response ends normally after', async () => {
    onRequest = (res) => {
      const gate = new HeldEnd(res);
      gate.cork();
      gate.uncork();
      res.end('later');
    };
    expect((await get()).body).toBe('later');
  });
});

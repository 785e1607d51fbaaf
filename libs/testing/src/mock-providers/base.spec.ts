import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sleepWhileOpen } from './base';

describe('sleepWhileOpen (a mock delaying its answer)', () => {
  it('ends when the client goes away, not at its deadline', async () => {
    let slept: Promise<number> | undefined;
    const server = createServer((_req, res: ServerResponse) => {
      const t0 = Date.now();
      slept = sleepWhileOpen(10_000, res).then(() => Date.now() - t0);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'POST' });
      req.on('error', () => undefined);
      req.end('{}');
      while (!slept) await new Promise((r) => setTimeout(r, 10));
      req.destroy();
      expect(await slept).toBeLessThan(1_000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('ends at its deadline while the client waits', async () => {
    const server = createServer(async (_req, res) => {
      const t0 = Date.now();
      await sleepWhileOpen(200, res);
      res.end(String(Date.now() - t0));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      expect(Number(await res.text())).toBeGreaterThanOrEqual(190);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

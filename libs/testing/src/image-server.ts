import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import type { SeenImage } from './mock-providers/base';

/** A 1×1 PNG and a 1×1 GIF: real images every provider mock accepts. */
export const TEST_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
export const TEST_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * An https server on loopback with a freshly made self-signed certificate (openssl), serving test images:
 * `/image.gif`, `/image.png`, `/redirect` (to /image.gif), `/not-an-image`, `/huge` (content-length lies
 * past any sane cap). Point the router at `caFile` (ROUTER_IMAGE_CA_FILE) so it trusts the certificate.
 */
export class TestImageServer {
  readonly caFile: string;
  readonly requests: string[] = [];
  private readonly dir: string;
  /** The server's self-signed certificate (PEM), to trust it. */
  readonly caPem: string;
  private server?: Server;
  private readonly agent: Agent;
  url = '';

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'sy-images-'));
    const key = join(this.dir, 'key.pem');
    this.caFile = join(this.dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', this.caFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    this.caPem = readFileSync(this.caFile, 'utf8');
    this.agent = new Agent({ connect: { ca: this.caPem } });
  }

  async start(): Promise<this> {
    this.server = createServer({ key: readFileSync(join(this.dir, 'key.pem')), cert: this.caPem }, (req, res) => {
      this.requests.push(req.url ?? '');
      switch (req.url) {
        case '/image.gif':
          res.writeHead(200, { 'content-type': 'image/gif' }).end(TEST_GIF);
          return;
        case '/image.png':
          res.writeHead(200, { 'content-type': 'image/png' }).end(TEST_PNG);
          return;
        case '/redirect':
          res.writeHead(302, { location: '/image.gif' }).end();
          return;
        case '/not-an-image':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>nope</html>');
          return;
        case '/huge':
          res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(1024 * 1024 * 1024) });
          res.write(TEST_PNG);
          return; // never ends; the client must give up on the declared size
        default:
          res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Fetches an image as a provider would (trusting this server's certificate): for the mocks' `fetchImage`. */
  readonly fetch = async (url: string): Promise<SeenImage> => {
    const res = await request(url, { dispatcher: this.agent });
    const data = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`GET ${url}: ${res.statusCode}`);
    return { mime: String(res.headers['content-type']).split(';')[0]!, data };
  };

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    await this.agent.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

import { Agent } from 'node:http';
import { connect } from 'node:net';
import { fakeExe, assertNo5xx, hostileJsonBodies, httpJson, rawRequest, withField, type SeededTenant } from '@switchyard/testing';
import { startDocumentsFixture, type DocumentsFixture } from './documents-fixture';

const BOUNDARY = 'hardeningboundary';
const multipartHead = (filename: string) =>
  `--${BOUNDARY}\r\ncontent-disposition: form-data; name="options"\r\n\r\n{}\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="${filename}"\r\ncontent-type: application/octet-stream\r\n\r\n`;
const multipartTail = `\r\n--${BOUNDARY}--\r\n`;

/** Issue 18 at the documents service: refused uploads and keep-alive (1), malformed and stalled multipart (3), depth (2), fuzz. */
describe('documents hardening', () => {
  let fx: Omit<DocumentsFixture, 'worker'>;
  let url: string;
  let port: number;
  let tenant: SeededTenant;

  beforeAll(async () => {
    fx = await startDocumentsFixture({ env: { DOCUMENTS_MAX_FILE_BYTES: String(8 * 1024 * 1024), HTTP_BODY_IDLE_TIMEOUT_MS: '1000' }, worker: false });
    ({ tenant } = fx);
    url = fx.url.replace('[::1]', '127.0.0.1');
    port = Number(new URL(url).port);
  });

  afterAll(() => fx?.close());

  const multipart = () => ({ authorization: `Bearer ${tenant.projectKey}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` });

  it('item 1: after a 415 refusal of a large upload, the next request on the same keep-alive agent is answered', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const exe = Buffer.concat([fakeExe(), Buffer.alloc(4 * 1024 * 1024, 1)]);
      const refused = await rawRequest(`${url}/v1/documents/parse`, { agent, headers: multipart(), chunks: [multipartHead('a.pdf'), exe, multipartTail] });
      expect(refused.status).toBe(415);
      expect(JSON.parse(refused.body).error.code).toBe('unsupported_file_type');
      const next = await rawRequest(`${url}/v1/documents/jobs`, { method: 'GET', agent, headers: { authorization: `Bearer ${tenant.projectKey}` }, timeoutMs: 5_000 });
      expect(next.status).toBe(200);
    } finally {
      agent.destroy();
    }
  });

  it('item 3: a multipart body without its closing boundary is a 400, not a 500', async () => {
    const res = await rawRequest(`${url}/v1/documents/parse`, { headers: multipart(), chunks: [multipartHead('a.pdf'), '%PDF-1.4 truncated'] });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_multipart' });
  });

  it('item 3: a stalled upload is answered 408 after the body-idle timeout and its connection closed', async () => {
    const socket = connect(port, '127.0.0.1');
    const answer = new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    const head = multipartHead('a.pdf');
    socket.write(
      `POST /v1/documents/parse HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${tenant.projectKey}\r\ncontent-type: multipart/form-data; boundary=${BOUNDARY}\r\ncontent-length: ${head.length + 100_000}\r\n\r\n${head}%PDF-1.4 `,
    );
    const started = Date.now();
    const text = await answer;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code).toBe('request_timeout');
  }, 20_000);

  it('item 3: 1,000 parts get a 413 that names the limit hit (here the fields limit, 30, before the parts limit, 40)', async () => {
    const fields = Array.from({ length: 1_000 }, (_, i) => `--${BOUNDARY}\r\ncontent-disposition: form-data; name="f${i}"\r\n\r\n${'x'.repeat(1_000)}\r\n`).join('');
    const res = await rawRequest(`${url}/v1/documents/parse`, { headers: multipart(), chunks: [fields, `--${BOUNDARY}--\r\n`] });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'too_many_fields' });
    expect(JSON.parse(res.body).error.message).toContain('the fields limit');
    expect(JSON.parse(res.body).error.message).not.toContain('Request body is too large');
  });

  it('item 2: a JSON body nested 5,000 levels deep is a 400 naming the limit', async () => {
    const body = withField({ file: 'aGVsbG8=' }, 'options', '['.repeat(5_000) + ']'.repeat(5_000));
    const res = await httpJson(`${url}/v1/documents/parse`, { token: tenant.projectKey, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'json_too_deep' });
    expect(res.body.error.message).toContain('256');
  });

  it.each([
    ['a lone surrogate in the schema', '{"name":"lone","schema":{"type":"object","description":"a\\ud800"}}'],
    ['a NUL in the schema', '{"name":"nul","schema":{"type":"object","description":"a\\u0000"}}'],
    ['a NUL in the name', '{"name":"a\\u0000b","schema":{"type":"object"}}'],
  ])('a template with %s is a 400 that names the character (the fuzz found a 500), and nothing is stored', async (_, body) => {
    const res = await rawRequest(`${url}/v1/documents/templates`, { headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' }, chunks: [body] });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'unstorable_character', type: 'invalid_request_error' });
    const list = await httpJson(`${url}/v1/documents/templates`, { token: tenant.projectKey });
    expect(JSON.stringify(list.body)).not.toMatch(/"(lone|nul|a.b)"/);
  });

  it.each([
    ['/v1/documents/parse', ['file', 'filename', 'options', 'document_id', 'model', 'pages', 'mode', 'dpi', 'webhook_url']],
    ['/v1/documents/extract', ['file', 'document_id', 'schema', 'template', 'template_id', 'options']],
    ['/v1/documents/templates', ['name', 'schema', 'template', 'description']],
  ] as const)('fuzz %s: random and adversarial JSON never gets a 5xx, and the service keeps serving', async (path, keys) => {
    await assertNo5xx(hostileJsonBodies(keys, () => ({ name: 'fuzz' })), (body) =>
      rawRequest(`${url}${path}`, { headers: { authorization: `Bearer ${tenant.projectKey}`, 'content-type': 'application/json' }, chunks: [body] }),
    );
    expect((await httpJson(`${url}/healthz`)).status).toBe(200);
  }, 120_000);
});

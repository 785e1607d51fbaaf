import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Metrics } from '@switchyard/telemetry';
import { GatewayError, unauthorized, type Principal } from '@switchyard/types';
import type { GuardedAuthPolicy } from '../route-auth/auth-policy';
import { readJsonBody } from './json-body.reader';
import type { RawRouteAuthenticator, RequestHeaders } from './raw-route-authenticator';
import { writeJson } from './raw-response';
import { RawRoutes } from './raw-routes';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request over a fresh connection; `chunked` sends the body without a Content-Length. */
function send(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string; chunked?: boolean } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'POST', headers: opts.headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    if (opts.body !== undefined && !opts.chunked) req.setHeader('content-length', Buffer.byteLength(opts.body));
    if (opts.chunked && opts.body) {
      // Two writes without a length: the limit must hold as bytes arrive, not only from the header.
      const half = Math.floor(opts.body.length / 2);
      req.write(opts.body.slice(0, half));
      req.end(opts.body.slice(half));
    } else req.end(opts.body);
  });
}

describe('RawRoutes and readJsonBody on a real HTTP server', () => {
  const metrics = new Metrics('raw-routes-test');
  const logger = pino({ level: 'silent' });
  /** Knows one key; records which policies it was asked to check. */
  const asked: GuardedAuthPolicy[] = [];
  const authenticator: RawRouteAuthenticator = {
    authenticate: async (policy: GuardedAuthPolicy, headers: RequestHeaders): Promise<Principal> => {
      asked.push(policy);
      if (headers['authorization'] !== 'Bearer sy_good') throw unauthorized('Missing access key.', 'missing_api_key');
      return { kind: 'key', keyId: 'key-1', organizationId: 'org-1', projectId: 'project-1', admin: false };
    },
  };
  const routes = new RawRoutes(logger, metrics, authenticator);
  let guardedCalls = 0;
  let server: Server;
  let port: number;
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    routes.add('POST', '/echo', { auth: 'public' }, async (req, res, { requestId, principal }) => {
      const body = await readJsonBody(req, 64);
      writeJson(res, 200, { 'x-seen-id': requestId, 'x-principal': String(principal) }, JSON.stringify({ body }));
    });
    routes.add('POST', '/whoami', { auth: 'project-key' }, async (req, res, { principal }) => {
      guardedCalls++;
      const body = await readJsonBody(req, 64);
      writeJson(res, 200, {}, JSON.stringify({ principal, body }));
    });
    routes.add('POST', '/refuse', { auth: 'public' }, async () => {
      throw new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', 'Slow down.', { headers: { 'retry-after': '3' } });
    });
    routes.add('POST', '/anthropic', { auth: 'key', errors: 'anthropic' }, async (req) => {
      await readJsonBody(req, 64);
      throw new GatewayError(429, 'rate_limit_error', 'rate_limit_exceeded', 'Slow down.', { headers: { 'retry-after': '3' } });
    });
    // Added first, tried last: a `*` pattern never shadows the exact-length ones.
    routes.add('POST', '/gw/:account/:gateway/*', { auth: 'public' }, async (_req, res, { params }) => {
      writeJson(res, 200, {}, JSON.stringify({ rest: params['*'] }));
    });
    routes.add('POST', '/gw/:account/:gateway/compat', { auth: 'public' }, async (_req, res, { params }) => {
      writeJson(res, 200, {}, JSON.stringify(params));
    });
    routes.alias('/other/base/', '/');
    routes.add('POST', '/crash', { auth: 'public' }, async () => {
      throw new Error('database password is hunter2');
    });
    server = createServer(
      routes.listener((_req, res) => {
        res.writeHead(299, { 'content-type': 'text/plain' });
        res.end('fallback');
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('serves a matching method and path (query string ignored) and sends everything else to the fallback', async () => {
    const ok = await send(port, '/echo?x=1', { headers: { ...json, 'x-request-id': 'abc-123' }, body: '{"a":[1,2]}' });
    expect(ok).toMatchObject({ status: 200, body: '{"body":{"a":[1,2]}}' });
    expect(ok.headers['x-request-id']).toBe('abc-123');
    expect(ok.headers['x-seen-id']).toBe('abc-123');
    expect(ok.headers['content-type']).toBe('application/json; charset=utf-8');
    expect((await send(port, '/echo', { method: 'GET' })).status).toBe(299);
    expect((await send(port, '/elsewhere', { headers: json, body: '{}' })).status).toBe(299);
  });

  it('hands a public route no principal and asks the authenticator nothing', async () => {
    asked.length = 0;
    const res = await send(port, '/echo', { headers: { ...json, authorization: 'Bearer sy_good' }, body: '{}' });
    expect(res.headers['x-principal']).toBe('null');
    expect(asked).toEqual([]);
  });

  it('authenticates a guarded route with the policy given at add(), before its body is read, and hands it the principal', async () => {
    asked.length = 0;
    const ok = await send(port, '/whoami', { headers: { ...json, authorization: 'Bearer sy_good' }, body: '{"q":1}' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ principal: { kind: 'key', keyId: 'key-1', organizationId: 'org-1', projectId: 'project-1', admin: false }, body: { q: 1 } });
    expect(asked).toEqual(['project-key']);
    // No key and a body over the limit: the key is refused first, the handler never runs.
    const calls = guardedCalls;
    const refused = await send(port, '/whoami', { headers: { ...json, 'x-request-id': 'req-401' }, body: JSON.stringify({ pad: 'x'.repeat(100) }) });
    expect(refused.status).toBe(401);
    expect(refused.headers['x-request-id']).toBe('req-401');
    expect(JSON.parse(refused.body).error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    expect(guardedCalls).toBe(calls);
  });

  it("answers a route of the anthropic family in Anthropic's error shape, auth and body errors included", async () => {
    const refused = await send(port, '/anthropic', { headers: { ...json, 'x-request-id': 'req-a1' }, body: '{}' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'Missing access key.' }, request_id: 'req-a1' });
    const limited = await send(port, '/anthropic', { headers: { ...json, authorization: 'Bearer sy_good' }, body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(JSON.parse(limited.body)).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down.' } });
    const tooLarge = await send(port, '/anthropic', { headers: { ...json, authorization: 'Bearer sy_good' }, body: JSON.stringify({ pad: 'x'.repeat(100) }) });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body).error.type).toBe('request_too_large');
  });

  it('makes a request id when the caller sends none or an unsafe one', async () => {
    const a = await send(port, '/echo', { headers: { ...json, 'x-request-id': 'bad id with spaces' }, body: '{}' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['a non-JSON content type', { 'content-type': 'text/plain' }, 'hello', false, 415, 'unsupported_media_type'],
    ['no content type', {}, '{}', false, 415, 'unsupported_media_type'],
    ['an empty body', json, '', false, 400, 'invalid_json'],
    ['malformed JSON', json, '{"a":', false, 400, 'invalid_json'],
    ['a __proto__ key', json, '{"a":{"__proto__":{"x":1}}}', false, 400, 'invalid_json'],
    ['an escaped __proto__ key', json, '{"\\u005f\\u005fproto__":{"x":1}}', false, 400, 'invalid_json'],
    ['a constructor.prototype key', json, '{"constructor":{"prototype":{"x":1}}}', false, 400, 'invalid_json'],
    ['a Content-Length over the limit', json, JSON.stringify({ pad: 'x'.repeat(100) }), false, 413, 'request_too_large'],
    ['a chunked body over the limit', json, JSON.stringify({ pad: 'x'.repeat(100) }), true, 413, 'request_too_large'],
  ] as const)('answers %s with the OpenAI error shape', async (_what, headers, body, chunked, status, code) => {
    const res = await send(port, '/echo', { headers: { ...headers }, body, chunked });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code } });
  });

  it('accepts JSON media types with parameters and +json suffixes, and a harmless "constructor" key', async () => {
    expect((await send(port, '/echo', { headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"constructor":"x"}' })).status).toBe(200);
    expect((await send(port, '/echo', { headers: { 'content-type': 'application/vnd.api+json' }, body: '[]' })).body).toBe('{"body":[]}');
  });

  it('maps domain errors with their headers, and hides internal ones behind a 500 with the request id', async () => {
    const limited = await send(port, '/refuse', { headers: json, body: '{}' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('3');
    expect(JSON.parse(limited.body).error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    const crashed = await send(port, '/crash', { headers: { ...json, 'x-request-id': 'req-9' }, body: '{}' });
    expect(crashed.status).toBe(500);
    expect(crashed.body).not.toContain('hunter2');
    expect(JSON.parse(crashed.body).error).toMatchObject({ type: 'server_error', code: 'internal_error', message: expect.stringContaining('req-9') });
  });

  it('matches a path with :name segments after the exact routes, handing the decoded segments as params', async () => {
    const ok = await send(port, '/gw/acc-1/my%20gw/compat?x=1', { headers: json, body: '{}' });
    expect(ok).toMatchObject({ status: 200, body: '{"account":"acc-1","gateway":"my gw"}' });
    // An empty segment, another length, another method, a malformed escape: not this route.
    expect((await send(port, '/gw//g/compat', { headers: json, body: '{}' })).status).toBe(299);
    expect((await send(port, '/gw/a/g/compat', { method: 'GET' })).status).toBe(299);
    expect((await send(port, '/gw/%E0%A4%A/g/compat', { headers: json, body: '{}' })).status).toBe(299);
  });

  it('hands the rest of the path to a pattern ending in *, tried after the others', async () => {
    expect((await send(port, '/gw/a/g/compat', { headers: json, body: '{}' })).body).toBe('{"account":"a","gateway":"g"}');
    expect((await send(port, '/gw/a/g/compat/more', { headers: json, body: '{}' })).body).toBe('{"rest":"compat/more"}');
    expect((await send(port, '/gw/a/g/v1beta/models/m%3Ax:generateContent?alt=sse', { headers: json, body: '{}' })).body).toBe('{"rest":"v1beta/models/m%3Ax:generateContent"}');
    // The rest must have a segment: `/gw/a/g/` is not matched.
    expect((await send(port, '/gw/a/g/', { headers: json, body: '{}' })).status).toBe(299);
  });

  it('serves an aliased prefix as the target path, raw routes and the fallback alike', async () => {
    const ok = await send(port, '/other/base/echo?q=1', { headers: json, body: '{"a":1}' });
    expect(ok).toMatchObject({ status: 200, body: '{"body":{"a":1}}' });
    expect((await send(port, '/other/base/gw/a/b/compat', { headers: json, body: '{}' })).body).toBe('{"account":"a","gateway":"b"}');
    expect((await send(port, '/other/base/elsewhere', { headers: json, body: '{}' })).status).toBe(299);
  });

  it('counts raw-route requests in the Prometheus metrics under their path', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/echo",status="200",service="raw-routes-test"\} \d+/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/crash",status="500",service="raw-routes-test"\} 1/);
    expect(text).toMatch(/http_requests_total\{method="POST",route="\/gw\/:account\/:gateway\/compat",status="200",service="raw-routes-test"\} 3/);
  });

  it('answers 503 with Connection: close once the server is closing', async () => {
    routes.markClosing();
    const res = await send(port, '/echo', { headers: json, body: '{}' });
    expect(res.status).toBe(503);
    expect(res.headers['connection']).toBe('close');
    expect(JSON.parse(res.body).error.code).toBe('server_shutting_down');
  });
});

import type { RequestLogRecord } from '@switchyard/metering';
import { httpJson, requestLogFixture, seedTenant, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import type { Client } from 'pg';
import { newestFirst, startLogStore, type LogStoreFixture } from './log-store-fixture';

const N = 1_000;
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-haiku'];
const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const MARKER = 'needle-7f3a';

/** 1,000 varied records: model, success, status, cost (some unpriced), customer, metadata, time one minute apart. */
function generate(project: { id: string; org: string }): RequestLogRecord[] {
  return Array.from({ length: N }, (_, i) => {
    const failed = i % 10 === 3;
    const base = requestLogFixture(project, {
      createdAt: new Date(T0 + i * 60_000).toISOString(),
      model: MODELS[i % 3]!,
      success: !failed,
      statusCode: failed ? (i % 20 === 3 ? 500 : 429) : 200,
      cost: i % 7 === 0 ? null : (i % 100) / 100,
      customerIdentifier: `c${i % 4}`,
      metadata: { team: i % 2 ? 'a' : 'b', n: i },
      tokens: { input: i % 50, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: i % 30 },
    });
    if (i % 97 === 0) base.bodies = { ...base.bodies!, response: `{"choices":[{"message":{"content":"the ${MARKER} is here"}}]}` };
    return base;
  });
}

describe('logs API: list with filters, search, order and paging; get; bodies; feedback; bulk delete', () => {
  let logs: LogStoreFixture;
  let env: TestEnvironment;
  let router: ServiceProcess;
  let url: string;
  let tenant: SeededTenant;
  let other: SeededTenant;
  let pg: Client;
  let records: RequestLogRecord[];
  let otherRecords: RequestLogRecord[];

  const api = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    httpJson(`${url}${path}`, { method: init.method, body: init.body, token: init.key ?? tenant.projectKey });
  const filters = (f: unknown[]) => `filters=${encodeURIComponent(JSON.stringify(f))}`;
  /** Every id the listing returns, following next_cursor. */
  const listAll = async (query: string) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(`/v1/logs?${query}&per_page=300${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      ids.push(...(res.body.data as { id: string }[]).map((r) => r.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    return ids;
  };
  beforeAll(async () => {
    logs = await startLogStore('logs-e2e');
    ({ env, router, url, pg } = logs);
    [tenant, other] = await Promise.all([seedTenant(router.url, env.config.admin.token), seedTenant(router.url, env.config.admin.token)]);
    records = generate({ id: tenant.projectId, org: tenant.organizationId });
    otherRecords = generate({ id: other.projectId, org: other.organizationId }).slice(0, 20);
    await logs.append([...records, ...otherRecords], 100);
  }, 90_000);

  afterAll(() => logs?.close());

  it('lists newest first through the cursor, only the project of the key', async () => {
    expect(await listAll('')).toEqual(newestFirst(records));
    expect(await listAll('').then((ids) => ids.filter((id) => otherRecords.some((r) => r.id === id)))).toEqual([]);
  });

  it.each([
    ['model and success', [{ key: 'model', operator: 'eq', value: ['gpt-4o'] }, { key: 'success', operator: 'eq', value: [true] }], (r: RequestLogRecord) => r.model === 'gpt-4o' && r.success],
    ['a cost range (unpriced excluded)', [{ key: 'cost', operator: 'gt', value: [0.5] }, { key: 'cost', operator: 'lt', value: [0.8] }], (r: RequestLogRecord) => r.cost !== null && r.cost > 0.5 && r.cost < 0.8],
    ['metadata value and customer neq', [{ key: 'metadata.value', operator: 'eq', value: ['b'] }, { key: 'customer_identifier', operator: 'neq', value: ['c1', 'c2'] }], (r: RequestLogRecord) => r.metadata['team'] === 'b' && !['c1', 'c2'].includes(r.customerIdentifier!)],
    ['status codes and time', [{ key: 'status_code', operator: 'eq', value: [500, 429] }, { key: 'created_at', operator: 'gt', value: [new Date(T0 + 500 * 60_000).toISOString()] }], (r: RequestLogRecord) => r.statusCode !== 200 && r.createdAt > new Date(T0 + 500 * 60_000).toISOString()],
    ['tokens and contains', [{ key: 'tokens', operator: 'gt', value: [60] }, { key: 'model', operator: 'contains', value: ['MINI'] }], (r: RequestLogRecord) => r.tokens.input + r.tokens.output > 60 && r.model === 'gpt-4o-mini'],
    ['cost unpriced', [{ key: 'cost', operator: 'eq', value: [null] }], (r: RequestLogRecord) => r.cost === null],
  ])('filters: %s', async (_name, f, expected) => {
    const want = newestFirst(records.filter(expected));
    expect(want.length).toBeGreaterThan(0);
    expect(await listAll(filters(f))).toEqual(want);
  });

  it('searches bodies and metadata', async () => {
    expect(await listAll(`search=${MARKER}`)).toEqual(newestFirst(records.filter((r) => r.bodies!.response!.includes(MARKER))));
  });

  it('orders by cost with page/per_page and with the cursor', async () => {
    const byCost = [...records].filter((r) => r.cost !== null).sort((a, b) => a.cost! - b.cost! || a.createdAt.localeCompare(b.createdAt));
    const page2 = await api(`/v1/logs?order_by=cost&order_by_direction=asc&per_page=25&page=2`);
    expect((page2.body.data as { cost: number }[]).map((r) => r.cost)).toEqual(byCost.slice(25, 50).map((r) => r.cost));
    const ids = await listAll('order_by=cost&order_by_direction=asc');
    expect(ids).toHaveLength(N);
    expect(ids.slice(0, byCost.length).map((id) => records.find((r) => r.id === id)!.cost)).toEqual(byCost.map((r) => r.cost));
  });

  it('refuses a bad filter with a 400 naming it, in the OpenAI error shape', async () => {
    const res = await api(`/v1/logs?${filters([{ key: 'model', operator: 'eq', value: ['x'] }, { key: 'cost', operator: 'contains', value: ['1'] }])}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', param: 'filters[1]' });
    expect((await api('/v1/logs?filters=%5Bnope')).body.error).toMatchObject({ param: 'filters' });
    expect((await api('/v1/logs?order_by=name')).status).toBe(400);
  });

  it('gets one log with attempts, body sizes and heads, and its bodies', async () => {
    const r = records[97]!;
    const res = await api(`/v1/logs/${r.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: r.id, model: r.model, cost: r.cost, status_code: r.statusCode, tokens: r.tokens.input + r.tokens.output, metadata: r.metadata,
      attempts: [{ step: 0, provider: 'openai', status: 200, duration: 120 }], request_size: 80, response_size: 100, truncated: false,
      request_head: r.bodies!.request, response_head: r.bodies!.response,
    });
    const response = await fetch(`${url}/v1/logs/${r.id}/response`, { headers: { authorization: `Bearer ${tenant.projectKey}` } });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.text()).toBe(r.bodies!.response);
    expect((await api(`/v1/logs/${r.id}/request`)).text).toBe(r.bodies!.request);
    expect((await api(`/v1/logs/${r.id}`, { key: other.projectKey })).status).toBe(404);
    expect((await api(`/v1/logs/${r.id}?project=${tenant.organizationId}/default`, { key: env.config.admin.token })).status).toBe(200);
  });

  it('round-trips feedback, score and metadata', async () => {
    const r = records[10]!;
    const patched = await api(`/v1/logs/${r.id}`, { method: 'PATCH', body: { feedback: -1, score: 0.25, metadata: { reviewed: true } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ feedback: -1, score: 0.25, metadata: { ...r.metadata, reviewed: true } });
    expect(await listAll(filters([{ key: 'feedback', operator: 'eq', value: [-1] }]))).toEqual([r.id]);
    expect((await api(`/v1/logs/${r.id}`, { method: 'PATCH', body: { feedback: null, score: null } })).body).toMatchObject({ feedback: null, score: null });
    const bad = await api(`/v1/logs/${r.id}`, { method: 'PATCH', body: { metadata: { nested: { no: 1 } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe('metadata.nested');
    expect((await api(`/v1/logs/${r.id}`, { method: 'PATCH', body: { feedback: 2 } })).status).toBe(400);
    expect((await api(`/v1/logs/${r.id}`, { method: 'PATCH', body: { feedback: 1 }, key: other.projectKey })).status).toBe(404);
  });

  it('answers an organization key with admin for a project of its organization (x-gateway-project), a 403 for another organization', async () => {
    const created = await httpJson(`${router.url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: tenant.organizationId, name: 'org admin', admin: true } });
    expect(created.status).toBe(201);
    const orgAdmin = created.body.key as string;
    const asOrgAdmin = (path: string, project?: string) => httpJson(`${url}${path}`, { token: orgAdmin, headers: project ? { 'x-gateway-project': project } : {} });
    const listed = await asOrgAdmin('/v1/logs?per_page=5', 'default');
    expect(listed.status).toBe(200);
    expect((listed.body.data as { id: string }[]).map((r) => r.id)).toEqual(newestFirst(records).slice(0, 5));
    expect((await asOrgAdmin(`/v1/logs/${records[20]!.id}`, tenant.projectId)).body.id).toBe(records[20]!.id);
    expect((await asOrgAdmin('/v1/traces', 'default')).status).toBe(200);
    // No project named: the organization's default one, as on the router.
    expect((await asOrgAdmin(`/v1/logs/${records[21]!.id}`)).status).toBe(200);
    // `?project=` as the admin token sends it: its own organization only.
    expect((await asOrgAdmin(`/v1/logs?per_page=1&project=${tenant.organizationId}/default`)).status).toBe(200);
    const otherOrg = await asOrgAdmin(`/v1/logs?project=${other.organizationId}/default`);
    expect(otherOrg.status).toBe(403);
    expect(otherOrg.body.error).toMatchObject({ type: 'permission_error', code: 'organization_mismatch' });
    // Another organization's project by UUID does not exist in this one.
    expect((await asOrgAdmin(`/v1/logs/${otherRecords[0]!.id}`, other.projectId)).status).toBe(404);
    // An organization key without admin is still refused.
    const plain = await httpJson(`${url}/v1/logs`, { token: tenant.orgKey, headers: { 'x-gateway-project': 'default' } });
    expect(plain.status).toBe(401);
    expect(plain.body.error.code).toBe('project_key_required');
  });

  it('serves analytics by model (with duration percentiles) and by a metadata key from the rollups, and hourly buckets', async () => {
    const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + 86_400_000).toISOString()}`;
    const byModel = await api(`/v1/analytics?interval=day&group_by=model&${range}`);
    expect(byModel.status).toBe(200);
    const want = MODELS.map((model) => {
      const rs = records.filter((r) => r.model === model);
      return {
        bucket: new Date(T0).toISOString(), group: model, requests: rs.length, errors: rs.filter((r) => !r.success).length, cached: 0,
        tokens_in: rs.reduce((a, r) => a + r.tokens.input, 0), tokens_out: rs.reduce((a, r) => a + r.tokens.output, 0),
        cost: rs.reduce((a, r) => a + (r.cost ?? 0), 0), avg_duration: 130,
      };
    }).sort((a, b) => a.group.localeCompare(b.group));
    expect(byModel.body.data).toHaveLength(3);
    (byModel.body.data as typeof want).forEach((row, i) => expect(row).toMatchObject({ ...want[i], cost: expect.closeTo(want[i]!.cost, 6) }));
    // Percentiles from the rollups' histograms: every record took 130 ms, in the bucket [120, 150).
    for (const row of byModel.body.data as Record<string, number>[]) {
      for (const p of ['p50_duration', 'p95_duration']) expect(row[p]).toBeGreaterThanOrEqual(120);
      for (const p of ['p50_duration', 'p95_duration']) expect(row[p]).toBeLessThan(150);
    }
    const byTeam = await api(`/v1/analytics?interval=day&group_by=metadata.team&${range}`);
    expect(byTeam.status).toBe(200);
    expect(byTeam.body.group_by).toBe('metadata.team');
    expect((byTeam.body.data as { group: string; requests: number; errors: number }[]).map((r) => [r.group, r.requests, r.errors])).toEqual(
      ['a', 'b'].map((team) => {
        const rs = records.filter((r) => r.metadata['team'] === team);
        return [team, rs.length, rs.filter((r) => !r.success).length];
      }),
    );
    expect((await api(`/v1/analytics?interval=day&group_by=metadata.absent&${range}`)).body.data).toEqual([]);
    const hourly = await api(`/v1/analytics?interval=hour&${range}`);
    expect((hourly.body.data as { requests: number }[]).map((r) => r.requests)).toEqual([...Array(16).fill(60), 40]);
    expect((await api(`/v1/analytics?interval=minute&from=2026-01-01T00:00:00Z&to=2026-12-01T00:00:00Z`)).body.error).toMatchObject({ param: 'interval' });
    expect((await api(`/v1/analytics?group_by=color`)).body.error).toMatchObject({ param: 'group_by' });
    expect((await api(`/v1/analytics?group_by=metadata.`)).body.error).toMatchObject({ param: 'group_by' });
  });

  it('bulk-deletes the matching logs, in order and up to the limit, and returns the count', async () => {
    const claude = records.filter((r) => r.model === 'claude-3-5-haiku').sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const f = filters([{ key: 'model', operator: 'eq', value: ['claude-3-5-haiku'] }]);
    const first = await api(`/v1/logs?${f}&limit=50&order_by=created_at&order_by_direction=asc`, { method: 'DELETE' });
    expect(first.body).toEqual({ deleted: 50 });
    expect(await listAll(f)).toEqual(newestFirst(claude.slice(50)));
    expect((await api(`/v1/logs?${f}`, { method: 'DELETE' })).body).toEqual({ deleted: claude.length - 50 });
    expect(await listAll('')).toEqual(newestFirst(records.filter((r) => r.model !== 'claude-3-5-haiku')));
    expect(await logs.stored(other.projectId)).toBe(20);
  });

  it('stores a record posted by a client that called a provider directly, priced by us when it has no cost', async () => {
    const posted = await api('/v1/logs', {
      body: {
        model: 'gpt-4o-mini', provider: 'openai', messages: [{ role: 'user', content: 'hi' }], completion_message: { role: 'assistant', content: 'hello' },
        usage: { prompt_tokens: 1000, completion_tokens: 500 }, latency: 1.25, customer_identifier: 42, metadata: { source: 'sdk' },
        timestamp: '2026-11-20T10:00:00Z',
      },
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toMatchObject({ id: expect.any(String), cost: expect.any(Number), tokens_in: 1000, tokens_out: 500 });
    expect(posted.body.cost).toBeGreaterThan(0);
    const custom = await api('/v1/logs', { body: { model: 'my-model', cost: 0.5, prompt_tokens: 3, completion_tokens: 4, status_code: 500, error_code: 'boom' } });
    expect(custom.body).toMatchObject({ cost: 0.5 });
    const unpriced = await api('/v1/logs', { body: { model: 'my-model', prompt_tokens: 3 } });
    expect(unpriced.body).toMatchObject({ cost: null });

    const stored = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const res = await api(`/v1/logs/${id}`);
        if (res.status === 200) return res.body;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`log ${id} was not stored`);
    };
    expect(await stored(posted.body.id)).toMatchObject({
      created_at: '2026-11-20T10:00:00.000Z', model: 'gpt-4o-mini', provider: 'openai', cost: posted.body.cost, custom_cost: false, duration: 1250,
      customer_identifier: '42', metadata: { source: 'sdk' }, tokens: 1500, success: true, path: '/v1/logs',
      response_head: JSON.stringify({ role: 'assistant', content: 'hello' }),
    });
    expect(await stored(custom.body.id)).toMatchObject({ cost: 0.5, custom_cost: true, success: false, status_code: 500, error_code: 'boom', request_size: null });

    expect((await api('/v1/logs', { body: { model: 'x', prompt: 'unknown field' } })).body.error).toMatchObject({ param: 'prompt' });
    expect((await api('/v1/logs', { body: { model: 'x', provider: 'nope' } })).body.error).toMatchObject({ param: 'provider' });
    expect((await api('/v1/logs', { body: { provider: 'openai' } })).status).toBe(400);
  });

  it('keeps no bodies of a posted record when the project has zdr', async () => {
    await pg.query(`UPDATE projects SET zdr = true WHERE id = $1`, [other.projectId]);
    const posted = await api('/v1/logs', { key: other.projectKey, body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'secret-zdr-marker' }], completion: 'x' } });
    expect(posted.status).toBe(201);
    for (let i = 0; i < 100 && (await api(`/v1/logs/${posted.body.id}`, { key: other.projectKey })).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await api(`/v1/logs/${posted.body.id}`, { key: other.projectKey })).body).toMatchObject({ request_size: null, request_head: null });
    expect(Number((await pg.query(`SELECT count(*) AS n FROM request_log_bodies WHERE request LIKE '%secret-zdr-marker%'`)).rows[0].n)).toBe(0);
  });
});

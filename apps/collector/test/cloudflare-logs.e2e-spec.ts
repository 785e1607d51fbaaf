import Cloudflare from 'cloudflare';
import type { RequestLogRecord } from '@switchyard/metering';
import { httpJson, requestLogFixture, seedTenant, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { newestFirst, startLogStore, type LogStoreFixture } from './log-store-fixture';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);

/** Six records of the tenant's default project, one minute apart, varied in model, provider, success, cost and tokens. */
function generate(project: { id: string; org: string }): RequestLogRecord[] {
  return Array.from({ length: 6 }, (_, i) =>
    requestLogFixture(project, {
      createdAt: new Date(T0 + i * 60_000).toISOString(),
      model: i % 2 ? 'claude-3-5-haiku' : 'gpt-4o-mini',
      provider: i % 2 ? ('anthropic' as 'openai') : 'openai',
      success: i !== 3,
      statusCode: i === 3 ? 500 : 200,
      cost: i / 10,
      durationMs: 100 + i * 10,
      tokens: { input: i * 10, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: i },
      metadata: { team: i < 3 ? 'search' : 'billing' },
    }),
  );
}

/** Cloudflare's gateway logs on the collector, driven by the official `cloudflare` SDK (baseURL = the collector). */
describe('cloudflare management API: gateway logs', () => {
  let logs: LogStoreFixture;
  let env: TestEnvironment;
  let router: ServiceProcess;
  let url: string;
  let tenant: SeededTenant;
  let records: RequestLogRecord[];
  let cf: Cloudflare;
  let account_id: string;

  const ids = async (params: Omit<Cloudflare.AIGateway.LogListParams, 'account_id'>) => {
    const out: string[] = [];
    for await (const log of cf.aiGateway.logs.list('default', { account_id, per_page: 2, ...params })) out.push(log.id);
    return out;
  };

  beforeAll(async () => {
    logs = await startLogStore('cf-logs-e2e');
    ({ env, router, url } = logs);
    tenant = await seedTenant(router.url, env.config.admin.token);
    account_id = tenant.organizationId;
    cf = new Cloudflare({ apiToken: env.config.admin.token, baseURL: `${url}/client/v4`, maxRetries: 0 });
    records = generate({ id: tenant.projectId, org: tenant.organizationId });
    await logs.append(records);
  }, 90_000);

  afterAll(() => logs?.close());

  it('lists newest first through page/per_page, with Cloudflare filters, search and order', async () => {
    expect(await ids({})).toEqual(newestFirst(records));
    const first = await cf.aiGateway.logs.list('default', { account_id, per_page: 4 });
    expect(first.result_info).toEqual({ page: 1, per_page: 4, count: 4, total_count: 6 });

    expect(await ids({ model: 'gpt-4o-mini' })).toEqual(newestFirst(records.filter((r) => r.model === 'gpt-4o-mini')));
    expect(await ids({ success: false })).toEqual([records[3]!.id]);
    expect(await ids({ provider: 'anthropic', min_cost: 0.3 })).toEqual(newestFirst([records[3]!, records[5]!]));
    expect(await ids({ max_duration: 120, min_tokens_in: 10 })).toEqual(newestFirst([records[1]!, records[2]!]));
    expect(await ids({ start_date: new Date(T0 + 60_000).toISOString(), end_date: new Date(T0 + 2 * 60_000).toISOString() })).toEqual(newestFirst(records.slice(1, 3)));
    // The SDK's filters form (one filter: filters.key / filters.operator / repeated filters.value).
    expect(await ids({ filters: [{ key: 'model', operator: 'eq', value: ['claude-3-5-haiku'] }] })).toEqual(newestFirst(records.filter((r) => r.model === 'claude-3-5-haiku')));
    expect(await ids({ search: records[4]!.id })).toEqual([records[4]!.id]);
    expect(await ids({ order_by: 'created_at', order_by_direction: 'asc' })).toEqual(records.map((r) => r.id));
  });

  it('gets a log, patches feedback, score and metadata (the log then carries them), serves its request and response bodies', async () => {
    const target = records[2]!;
    const log = await cf.aiGateway.logs.get(target.id, { account_id, gateway_id: 'default' });
    expect(log).toMatchObject({ id: target.id, model: 'gpt-4o-mini', provider: 'openai', success: true, feedback: null });

    const edited = await cf.aiGateway.logs.edit(target.id, { account_id, gateway_id: 'default', feedback: 1, score: 87, metadata: { reviewed: true } });
    expect(edited).toMatchObject({ id: target.id, feedback: 1, score: 87, metadata: { team: 'search', reviewed: true } });
    expect(await cf.aiGateway.logs.get(target.id, { account_id, gateway_id: 'default' })).toMatchObject({ feedback: 1, score: 87 });
    expect(await ids({ feedback: 1 })).toEqual([target.id]);

    expect(await cf.aiGateway.logs.request(target.id, { account_id, gateway_id: 'default' })).toEqual(JSON.parse(target.bodies!.request!));
    expect(await cf.aiGateway.logs.response(target.id, { account_id, gateway_id: 'default' })).toEqual(JSON.parse(target.bodies!.response!));
  });

  it('bulk deletes the logs matching a filter, at most limit of them', async () => {
    const deleted = await cf.aiGateway.logs.delete('default', { account_id, filters: [{ key: 'model', operator: 'eq', value: ['claude-3-5-haiku'] }], limit: 2, order_by: 'created_at', order_by_direction: 'asc' });
    expect(deleted).toMatchObject({ success: true, result: { deleted: 2 } });
    expect(await ids({})).toEqual(newestFirst(records.filter((_, i) => i !== 1 && i !== 3)));
  });

  it('answers errors in the V4 shape; the organization key needs admin and its own organization', async () => {
    const base = `${url}/client/v4/accounts/${account_id}/ai-gateway/gateways/default/logs`;
    const bad = await httpJson(`${base}?order_by=model_type`, { token: env.config.admin.token });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, result: null, errors: [{ code: 400, source: { pointer: '/order_by' } }] });
    const unknownGateway = await httpJson(`${url}/client/v4/accounts/${account_id}/ai-gateway/gateways/nope/logs`, { token: env.config.admin.token });
    expect(unknownGateway.status).toBe(404);
    expect(unknownGateway.body.success).toBe(false);

    const sdk = (apiToken: string) => new Cloudflare({ apiToken, baseURL: `${url}/client/v4`, maxRetries: 0 });
    await expect(sdk(tenant.orgKey).aiGateway.logs.list('default', { account_id })).rejects.toMatchObject({ status: 403 });
    const adminKey = await httpJson(`${router.url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: account_id, name: 'cf', admin: true } });
    const page = await sdk(adminKey.body.key).aiGateway.logs.list('default', { account_id });
    expect(page.result.length).toBe(4);
    const other = await seedTenant(router.url, env.config.admin.token);
    await expect(sdk(adminKey.body.key).aiGateway.logs.list('default', { account_id: other.organizationId })).rejects.toMatchObject({ status: 403 });
  });
});

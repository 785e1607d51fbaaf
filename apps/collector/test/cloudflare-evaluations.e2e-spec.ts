import Cloudflare from 'cloudflare';
import type { RequestLogRecord } from '@switchyard/metering';
import { httpJson, requestLogFixture, seedTenant, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { Client } from 'pg';
import { startLogStore, type LogStoreFixture } from './log-store-fixture';

const T0 = Date.UTC(2026, 10, 2, 0, 0, 0);

/** Record i: model alternating gpt-4o-mini / claude-3-5-haiku, cost i/10 (record 2 unpriced), duration 100 + 10i ms. */
const record = (project: { id: string; org: string }, i: number): RequestLogRecord =>
  requestLogFixture(project, {
    createdAt: new Date(T0 + i * 60_000).toISOString(),
    model: i % 2 ? 'claude-3-5-haiku' : 'gpt-4o-mini',
    provider: i % 2 ? ('anthropic' as 'openai') : 'openai',
    cost: i === 2 ? null : i / 10,
    durationMs: 100 + i * 10,
  });

/** Datasets, evaluations and evaluation types on the collector, driven by the official `cloudflare` SDK (baseURL = the collector). */
describe('cloudflare management API: datasets and evaluations', () => {
  let logs: LogStoreFixture;
  let env: TestEnvironment;
  let router: ServiceProcess;
  let url: string;
  let tenant: SeededTenant;
  let cf: Cloudflare;
  let account_id: string;
  let records: RequestLogRecord[];

  const v4 = (path: string) => `${url}/client/v4/accounts/${account_id}/ai-gateway/gateways/default${path}`;

  beforeAll(async () => {
    logs = await startLogStore('cf-evaluations-e2e');
    ({ env, router, url } = logs);
    tenant = await seedTenant(router.url, env.config.admin.token);
    account_id = tenant.organizationId;
    cf = new Cloudflare({ apiToken: env.config.admin.token, baseURL: `${url}/client/v4`, maxRetries: 0 });
    const project = { id: tenant.projectId, org: tenant.organizationId };
    records = Array.from({ length: 8 }, (_, i) => record(project, i));
    await logs.append(records);
    // Human feedback: 0 and 6 up (6 scored 80), 4 down; 1 up but in no dataset below.
    for (const [i, patch] of [[0, { feedback: 1 }], [6, { feedback: 1, score: 80 }], [4, { feedback: -1 }], [1, { feedback: 1 }]] as const) {
      await cf.aiGateway.logs.edit(records[i]!.id, { account_id, gateway_id: 'default', ...patch });
    }
  }, 90_000);

  afterAll(() => logs?.close());

  it('lists the evaluation types: Cost, Speed and Performance (human feedback)', async () => {
    const types: Cloudflare.AIGateway.EvaluationTypeListResponse[] = [];
    for await (const t of cf.aiGateway.evaluationTypes.list({ account_id, per_page: 2 })) types.push(t);
    expect(types.map((t) => [t.id, t.name, t.type])).toEqual([['cost', 'Cost', 'cost'], ['speed', 'Speed', 'speed'], ['performance', 'Performance', 'human_feedback']]);
    expect(types[0]).toEqual({ id: 'cost', name: 'Cost', type: 'cost', description: expect.any(String), enable: true, mandatory: false, created_at: expect.any(String), modified_at: expect.any(String) });
    const byName = await cf.aiGateway.evaluationTypes.list({ account_id, order_by: 'name', order_by_direction: 'desc' });
    expect(byName.result.map((t) => t.name)).toEqual(['Speed', 'Performance', 'Cost']);
    // An account that does not exist: a 404 in the V4 envelope, as for its gateways.
    const missing = '0190c0de-0000-7000-8000-00000000abcd';
    const res = await fetch(`${url}/client/v4/accounts/${missing}/ai-gateway/evaluation-types`, { headers: { authorization: `Bearer ${env.config.admin.token}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ success: false, result: null, errors: [{ message: expect.stringContaining(missing) }] });
    await expect(cf.aiGateway.evaluationTypes.list({ account_id: missing })).rejects.toMatchObject({ status: 404 });
  });

  it('creates, lists, reads, replaces (PUT) and deletes datasets, filters checked like the log listing', async () => {
    const created = await cf.aiGateway.datasets.create('default', { account_id, name: 'scratch', enable: true, filters: [{ key: 'provider', operator: 'eq', value: ['openai'] }] });
    expect(created).toEqual({
      id: expect.any(String), name: 'scratch', enable: true, gateway_id: 'default',
      filters: [{ key: 'provider', operator: 'eq', value: ['openai'] }], created_at: expect.any(String), modified_at: expect.any(String),
    });
    expect(await cf.aiGateway.datasets.get(created.id, { account_id, gateway_id: 'default' })).toEqual(created);

    const replaced = await cf.aiGateway.datasets.update(created.id, {
      account_id, gateway_id: 'default', name: 'slow', enable: false, filters: [{ key: 'duration', operator: 'gt', value: [150] }, { key: 'feedback', operator: 'eq', value: [0] }],
    });
    // Cloudflare's thumbs down (feedback 0) is stored as -1, as PATCH feedback takes it.
    expect(replaced).toMatchObject({ id: created.id, name: 'slow', enable: false, filters: [{ key: 'duration', operator: 'gt', value: [150] }, { key: 'feedback', operator: 'eq', value: [-1] }] });
    expect(Date.parse(replaced.modified_at)).toBeGreaterThanOrEqual(Date.parse(created.modified_at));

    const other = await cf.aiGateway.datasets.create('default', { account_id, name: 'other', enable: true, filters: [] });
    const all = [];
    for await (const d of cf.aiGateway.datasets.list('default', { account_id, per_page: 1 })) all.push(d.id);
    expect(all).toEqual([other.id, created.id]);
    const page = await cf.aiGateway.datasets.list('default', { account_id, per_page: 1 });
    expect(page.result_info).toEqual({ page: 1, per_page: 1, count: 1, total_count: 2 });
    expect((await cf.aiGateway.datasets.list('default', { account_id, enable: false })).result.map((d) => d.id)).toEqual([created.id]);
    expect((await cf.aiGateway.datasets.list('default', { account_id, name: 'other' })).result.map((d) => d.id)).toEqual([other.id]);
    expect((await cf.aiGateway.datasets.list('default', { account_id, search: 'duration' })).result.map((d) => d.id)).toEqual([created.id]);

    expect(await cf.aiGateway.datasets.delete(created.id, { account_id, gateway_id: 'default' })).toMatchObject({ id: created.id, name: 'slow' });
    await cf.aiGateway.datasets.delete(other.id, { account_id, gateway_id: 'default' });
    await expect(cf.aiGateway.datasets.get(created.id, { account_id, gateway_id: 'default' })).rejects.toMatchObject({ status: 404 });
    expect((await cf.aiGateway.datasets.list('default', { account_id })).result).toEqual([]);
  });

  it('refuses bad datasets and evaluations with a 400 in the V4 shape naming the field', async () => {
    const bad = async (path: string, body: unknown, pointer: string) => {
      const res = await httpJson(v4(path), { token: env.config.admin.token, body });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: false, result: null, errors: [{ code: 400, source: { pointer } }] });
    };
    await bad('/datasets', { name: 'x', enable: true, filters: [{ key: 'customer_identifier', operator: 'eq', value: ['a'] }] }, '/filters[0]/key');
    await bad('/datasets', { name: 'x', enable: true, filters: [{ key: 'cost', operator: 'contains', value: ['1'] }] }, '/filters[0]');
    await bad('/datasets', { name: 'x', enable: true, filters: [{ key: 'cost', operator: 'gt', value: ['cheap'] }] }, '/filters[0]');
    await bad('/datasets', { name: 'x', filters: [] }, '/enable');
    const disabled = await cf.aiGateway.datasets.create('default', { account_id, name: 'off', enable: false, filters: [] });
    await bad('/evaluations', { name: 'e', dataset_ids: [disabled.id], evaluation_type_ids: ['cost'] }, '/dataset_ids');
    await bad('/evaluations', { name: 'e', dataset_ids: ['0190c0de-0000-7000-8000-000000000001'], evaluation_type_ids: ['cost'] }, '/dataset_ids');
    await bad('/evaluations', { name: 'e', dataset_ids: [disabled.id], evaluation_type_ids: ['quality'] }, '/evaluation_type_ids[0]');
    await cf.aiGateway.datasets.delete(disabled.id, { account_id, gateway_id: 'default' });
    expect((await httpJson(v4('/datasets/not-a-uuid'), { token: env.config.admin.token })).status).toBe(400);
    expect((await httpJson(v4('/evaluations/0190c0de-0000-7000-8000-000000000001'), { token: env.config.admin.token })).status).toBe(404);
  });

  it('evaluates Cost, Speed and Performance over the union of its datasets, grows with new logs on rerun, deletes', async () => {
    const mini = await cf.aiGateway.datasets.create('default', { account_id, name: 'mini', enable: true, filters: [{ key: 'model', operator: 'eq', value: ['gpt-4o-mini'] }] });
    const pricey = await cf.aiGateway.datasets.create('default', { account_id, name: 'pricey', enable: true, filters: [{ key: 'cost', operator: 'gt', value: [0.45] }] });
    const evaluation = await cf.aiGateway.evaluations.create('default', { account_id, name: 'weekly', dataset_ids: [mini.id, pricey.id], evaluation_type_ids: ['cost', 'speed', 'performance'] });

    // mini = records 0, 2, 4, 6; pricey = 5, 6, 7; together 0, 2, 4, 5, 6, 7 (6 once).
    expect(evaluation).toMatchObject({ name: 'weekly', gateway_id: 'default', processed: true, total_logs: 6 });
    expect(evaluation.datasets.map((d) => [d.id, d.name, d.account_id, d.account_tag, d.gateway_id])).toEqual([
      [mini.id, 'mini', account_id, account_id, 'default'], [pricey.id, 'pricey', account_id, account_id, 'default'],
    ]);
    const result = (type: string, e: { results: Cloudflare.AIGateway.EvaluationGetResponse.Result[] }) => {
      const r = e.results.find((x) => x.evaluation_type_id === type)!;
      expect(r).toMatchObject({ evaluation_id: evaluation.id, status: 1, status_description: 'completed' });
      return { total_logs: r.total_logs, ...JSON.parse(r.result) };
    };
    const fetched = await cf.aiGateway.evaluations.get(evaluation.id, { account_id, gateway_id: 'default' });
    expect(fetched).toEqual(evaluation);
    // Costs 0, (2 unpriced), 0.4, 0.5, 0.6, 0.7; durations 100, 120, 140, 150, 160, 170 ms.
    expect(result('cost', fetched)).toEqual({ total_logs: 6, total_cost: 2.2, average_cost: 0.44, priced_logs: 5, unpriced_logs: 1 });
    expect(result('speed', fetched)).toEqual({ total_logs: 6, average_duration_ms: 140, p50_duration_ms: 145, p95_duration_ms: 167.5 });
    // Rated: 0 and 6 up, 4 down (1's thumbs up is outside both datasets).
    expect(result('performance', fetched)).toEqual({ total_logs: 3, thumbs_up: 2, thumbs_down: 1, positive_ratio: 0.6667, scored_logs: 1, average_score: 80 });

    // A dataset is a filter: logs that arrive later are in it, and a rerun counts them.
    const project = { id: tenant.projectId, org: tenant.organizationId };
    await logs.append([8, 10].map((i) => record(project, i)));
    const rerun = await httpJson(v4(`/evaluations/${evaluation.id}/run`), { token: env.config.admin.token, method: 'POST' });
    expect(rerun.status).toBe(200);
    expect(rerun.body.result).toMatchObject({ id: evaluation.id, processed: true, total_logs: 8 });
    expect(result('cost', rerun.body.result)).toMatchObject({ total_logs: 8, total_cost: 4, priced_logs: 7 });

    // A replica computing the evaluation holds its row: another one answers 409 rather than computing it twice.
    const holder = new Client({ connectionString: env.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM log_evaluations WHERE id = $1 FOR UPDATE', [evaluation.id]);
      const busy = await httpJson(v4(`/evaluations/${evaluation.id}/run`), { token: env.config.admin.token, method: 'POST' });
      expect(busy.status).toBe(409);
      expect(busy.body).toMatchObject({ success: false, errors: [{ code: 409 }] });
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }

    const listed = await cf.aiGateway.evaluations.list('default', { account_id, processed: true });
    expect(listed.result.map((e) => e.id)).toEqual([evaluation.id]);
    expect(listed.result_info).toEqual({ page: 1, per_page: 20, count: 1, total_count: 1 });
    expect((await cf.aiGateway.evaluations.list('default', { account_id, search: 'week' })).result).toHaveLength(1);
    expect((await cf.aiGateway.evaluations.list('default', { account_id, processed: false })).result).toHaveLength(0);

    // Deleting a dataset leaves the evaluation (its own copy of the datasets); deleting the evaluation removes it.
    await cf.aiGateway.datasets.delete(mini.id, { account_id, gateway_id: 'default' });
    expect((await cf.aiGateway.evaluations.get(evaluation.id, { account_id, gateway_id: 'default' })).datasets).toHaveLength(2);
    expect(await cf.aiGateway.evaluations.delete(evaluation.id, { account_id, gateway_id: 'default' })).toMatchObject({ id: evaluation.id });
    await expect(cf.aiGateway.evaluations.get(evaluation.id, { account_id, gateway_id: 'default' })).rejects.toMatchObject({ status: 404 });
    await cf.aiGateway.datasets.delete(pricey.id, { account_id, gateway_id: 'default' });
  });

  it('needs an admin key of the account', async () => {
    const sdk = new Cloudflare({ apiToken: tenant.orgKey, baseURL: `${url}/client/v4`, maxRetries: 0 });
    await expect(sdk.aiGateway.datasets.list('default', { account_id })).rejects.toMatchObject({ status: 403 });
    await expect(sdk.aiGateway.evaluationTypes.list({ account_id })).rejects.toMatchObject({ status: 403 });
  });
});

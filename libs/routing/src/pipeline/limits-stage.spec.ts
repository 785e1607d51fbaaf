import type { ProjectSnapshot, ResolvedConnection } from '@switchyard/auth';
import { LimitStore, PriceCatalog } from '@switchyard/metering';
import { DEFAULT_PROJECT_SETTINGS, type KeyLimits, type ProjectSettings } from '@switchyard/types';
import { Redis } from 'ioredis';
import type { AdmissionContext } from './admission';
import { LimitsStage } from './limits-stage';
import { resetText } from './limit-refusal';
import { parseRequestControls } from './request-controls';

const connection = { id: 'c1', organizationId: 'o1', provider: 'openai', slug: 'oa', name: 'oa', baseUrl: null, isDefault: true, credentials: { api_key: 'k' }, rateLimit: null, rateLimitPeriod: null } as ResolvedConnection;
const noKeyLimits: KeyLimits = { rpmLimit: null, tpmLimit: null, maxParallelRequests: null, maxBudget: null, budgetDuration: null, models: null };

const ctx = (settings: Partial<ProjectSettings> = {}, limits: KeyLimits | null = null, model = 'gpt-4o-mini'): AdmissionContext => {
  const project: ProjectSnapshot = { id: 'p1', organizationId: 'o1', slug: 'default', name: 'Default', retentionDays: 30, settings: { ...DEFAULT_PROJECT_SETTINGS, ...settings }, spendRules: [], quotas: null };
  return {
    call: { organizationId: 'o1', keyId: 'k1', limits },
    operation: 'chat',
    project,
    request: { model, messages: [{ role: 'user', content: 'Hi' }] },
    controls: parseRequestControls({}),
    targets: [{ connection, upstreamModel: model, requested: model }],
  };
};

/**
 * The stage over a Redis client that never connects: a call the stage sends to Redis finds it "down" (and a project
 * that fails closed answers 503), so a call that passes untouched proves it made no Redis round trip at all.
 */
describe('LimitsStage', () => {
  const redis = new Redis({ lazyConnect: true });
  const stage = new LimitsStage({
    store: new LimitStore(redis, { timeoutMs: 50 }),
    directory: { connectionsOf: async () => [connection] },
    prices: new PriceCatalog(),
    redisPrefix: 'sy',
  });
  afterAll(() => redis.disconnect());

  it('makes no Redis call for a project and key with nothing configured', async () => {
    await expect(stage.admit(ctx({ rate_limits_fail_open: false, budgets_fail_open: false }, noKeyLimits))).resolves.toBeUndefined();
  });

  it('asks Redis once a limit applies: refused with 503 when it cannot, if the project fails closed', async () => {
    await expect(stage.admit(ctx({ rate_limiting_limit: 10, rate_limiting_interval: 60, rate_limits_fail_open: false }))).rejects.toMatchObject({ status: 503, code: 'limits_unavailable' });
    await expect(stage.admit(ctx({ rate_limiting_limit: 10, rate_limiting_interval: 60 }))).resolves.toBeUndefined();
    await expect(stage.admit(ctx({}, { ...noKeyLimits, maxBudget: 1 }))).rejects.toMatchObject({ status: 503 });
  });

  it("refuses a model outside the key's list from memory", async () => {
    await expect(stage.admit(ctx({}, { ...noKeyLimits, models: ['gpt-4o'] }))).rejects.toMatchObject({ status: 403, code: 'model_not_allowed', param: 'model' });
    await expect(stage.admit(ctx({}, { ...noKeyLimits, models: ['gpt-4o-mini'] }))).resolves.toBeUndefined();
  });

  it('writes reset times as OpenAI does', () => {
    expect([resetText(250), resetText(12_000), resetText(360_000), resetText(3_723_000)]).toEqual(['250ms', '12s', '6m0s', '1h2m3s']);
  });
});

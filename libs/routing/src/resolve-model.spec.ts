import type { ResolvedConnection } from '@switchyard/auth';
import { ModelCatalog } from './catalog/catalog';
import { resolveModel } from './resolve-model';

const conn = (provider: ResolvedConnection['provider'], slug: string, isDefault = true): ResolvedConnection =>
  ({
  id: slug,
  organizationId: 'org',
  provider,
  slug,
  name: slug,
  baseUrl: null,
  isDefault,
  credentials: { api_key: 'k' },
  rateLimit: null,
  rateLimitPeriod: null,
  }) as ResolvedConnection;

describe('resolveModel', () => {
  const catalog = new ModelCatalog();
  const connections = [conn('openai', 'oa'), conn('azure-openai', 'az'), conn('anthropic', 'ant'), conn('openai', 'oa2', false)];

  it('resolves a catalog slug to every connected provider in catalog order', () => {
    const targets = resolveModel('gpt-4o-mini', connections, catalog);
    expect(targets.map((t) => [t.connection.slug, t.upstreamModel])).toEqual([
      ['oa', 'gpt-4o-mini'],
      ['az', 'gpt-4o-mini'],
    ]);
    expect(resolveModel('claude-sonnet-4', connections, catalog)[0]!.upstreamModel).toBe('claude-sonnet-4-20250514');
  });

  it('resolves provider/model to the default connection and maps catalog slugs to upstream ids', () => {
    expect(resolveModel('anthropic/claude-sonnet-4', connections, catalog)[0]!.upstreamModel).toBe('claude-sonnet-4-20250514');
    expect(resolveModel('openai/ft:gpt-4o:acme', connections, catalog)[0]).toMatchObject({ upstreamModel: 'ft:gpt-4o:acme', connection: { slug: 'oa' } });
  });

  it("resolves a provider's own id of a catalog model to that provider, unchanged (no Bedrock id for Anthropic)", () => {
    const [target, ...rest] = resolveModel('claude-sonnet-4-20250514', connections, catalog);
    expect(rest).toHaveLength(0);
    expect(target).toMatchObject({ connection: { slug: 'ant' }, upstreamModel: 'claude-sonnet-4-20250514', requested: 'claude-sonnet-4-20250514' });
    expect(target!.maxOutputTokens).toBe(resolveModel('claude-sonnet-4', connections, catalog)[0]!.maxOutputTokens);
    expect(() => resolveModel('anthropic.claude-sonnet-4-20250514-v1:0', connections, catalog)).toThrow(/model/i);
  });

  it("sends a name of one provider's id family that the catalog does not list yet to that provider, unchanged and without a catalog rule", () => {
    expect(resolveModel('claude-opus-4-8', connections, catalog)).toEqual([expect.objectContaining({ connection: expect.objectContaining({ slug: 'ant' }), upstreamModel: 'claude-opus-4-8', maxOutputTokens: undefined })]);
    expect(resolveModel('gpt-7-turbo', connections, catalog).map((t) => [t.connection.slug, t.upstreamModel])).toEqual([['oa', 'gpt-7-turbo']]);
    expect(resolveModel('o9-mini', connections, catalog).map((t) => t.connection.slug)).toEqual(['oa']);
    // Not connected (Google), or not an id family of one provider: 404 as before.
    expect(() => resolveModel('gemini-9-ultra', connections, catalog)).toThrow(expect.objectContaining({ code: 'model_not_found' }));
    for (const name of ['claude', 'gpt-x', 'o1x', 'claude-', 'Claude-opus-4']) expect(() => resolveModel(name, connections, catalog)).toThrow(expect.objectContaining({ code: 'model_not_found' }));
  });

  it('resolves @slug/model to exactly that connection', () => {
    expect(resolveModel('@oa2/gpt-4o', connections, catalog).map((t) => t.connection.slug)).toEqual(['oa2']);
  });

  it("carries the catalog's parameter rules of the model in every form (the bare id through openai/ included)", () => {
    const rules = catalog.parametersFor('openai', 'o3-mini');
    expect(rules).toBeDefined();
    expect(resolveModel('o3-mini', connections, catalog).map((t) => t.parameters)).toEqual([rules, rules]);
    expect(resolveModel('openai/o3-mini', connections, catalog)[0]!.parameters).toBe(rules);
    expect(resolveModel('@oa2/o3-mini-2025-01-31', connections, catalog)[0]!.parameters).toBe(rules);
    expect(resolveModel('openai/gpt-4o-mini', connections, catalog)[0]!.parameters).toBeUndefined();
  });

  it('answers unknown names with model_not_found naming the way to discover models', () => {
    for (const name of ['nope', '@missing/gpt-4o', 'groq/llama', 'gemini-2.5-pro', 'dynamic/x', '@/x']) {
      expect(() => resolveModel(name, connections, catalog)).toThrow(expect.objectContaining({ code: 'model_not_found', status: 404 }));
    }
  });
});

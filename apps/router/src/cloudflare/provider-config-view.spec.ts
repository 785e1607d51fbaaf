import type { ConnectionView } from '@switchyard/tenancy';
import { connectionInputOf, providerConfigOf, providerOfSlug } from './provider-config-view';

const ORG = '0193a0f4-0000-7000-8000-000000000001';

describe('provider configs as connections', () => {
  it("maps Cloudflare's provider slugs and ours, and nothing else", () => {
    expect(providerOfSlug('google-vertex-ai')).toBe('google-vertex');
    expect(providerOfSlug('grok')).toBe('xai');
    expect(providerOfSlug('OpenAI')).toBe('openai');
    expect(providerOfSlug('workers-ai')).toBeUndefined();
  });

  it('turns a create body into the connection to create: the secret as the api key, or a JSON object of credentials', () => {
    expect(connectionInputOf(ORG, { alias: 'team', default_config: true, provider_slug: 'anthropic', secret: 'sk-ant-1', rate_limit: 10, rate_limit_period: 60 })).toEqual({
      organization_id: ORG,
      provider: 'anthropic',
      name: 'team',
      slug: 'team',
      credentials: { api_key: 'sk-ant-1' },
      is_default: true,
      rate_limit: 10,
      rate_limit_period: 60,
    });
    const bedrock = connectionInputOf(ORG, { alias: 'aws', default_config: false, provider_slug: 'aws-bedrock', secret: ' {"access_key_id":"AKIA","region":"us-east-1"}' });
    expect(bedrock).toMatchObject({ provider: 'aws-bedrock', credentials: { access_key_id: 'AKIA', region: 'us-east-1' }, rate_limit: null });
    // Braces that are not a JSON object stay the key itself.
    expect(connectionInputOf(ORG, { alias: 'x', default_config: false, provider_slug: 'openai', secret: '{not json' }).credentials).toEqual({ api_key: '{not json' });
  });

  it('refuses a Secrets Store reference, a missing secret, an unknown provider, a bad alias or an unknown field with a 400 naming it', () => {
    const base = { alias: 'x', default_config: false, provider_slug: 'openai', secret: 'k' };
    const refused = (body: unknown) => {
      try {
        connectionInputOf(ORG, body);
      } catch (err) {
        return err as { status: number; param: string };
      }
      throw new Error('accepted');
    };
    expect(refused({ ...base, secret: undefined, secret_id: 's1' })).toMatchObject({ status: 400, param: 'secret_id' });
    expect(refused({ ...base, secret: undefined })).toMatchObject({ status: 400, param: 'secret' });
    expect(refused({ ...base, provider_slug: 'workers-ai' })).toMatchObject({ status: 400, param: 'provider_slug' });
    expect(refused({ ...base, alias: 'Not A Slug' })).toMatchObject({ status: 400, param: 'alias' });
    expect(refused({ ...base, extra: 1 })).toMatchObject({ status: 400 });
  });

  it("answers a connection in Cloudflare's shape, the provider in Cloudflare's spelling and no secret", () => {
    const c: ConnectionView = {
      id: 'c1',
      organization_id: ORG,
      provider: 'google-vertex',
      name: 'vertex',
      slug: 'vertex',
      secret_preview: 'proj…',
      base_url: null,
      is_default: false,
      rate_limit: null,
      rate_limit_period: null,
      created_at: '2026-12-06T00:00:00.000Z',
      modified_at: '2026-12-06T00:00:00.000Z',
    };
    expect(providerConfigOf(c, 'support')).toEqual({
      id: 'c1',
      alias: 'vertex',
      default_config: false,
      gateway_id: 'support',
      provider_slug: 'google-vertex-ai',
      secret_id: 'c1',
      secret_preview: 'proj…',
      created_at: c.created_at,
      modified_at: c.modified_at,
    });
  });
});

import { randomBytes } from 'node:crypto';
import { ConfigError, parseConfig } from './config';

const key = randomBytes(32).toString('base64');
const prod = { NODE_ENV: 'production', GATEWAY_ADMIN_TOKEN: 'a'.repeat(32), GATEWAY_MASTER_KEY: key };

function problemsOf(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  it("derives the console's URLs and CORS origins (the router's origin plus CONSOLE_EXTRA_ORIGINS)", () => {
    expect(parseConfig({}).console).toEqual({
      routerUrl: 'http://127.0.0.1:8080',
      collectorUrl: 'http://127.0.0.1:4318',
      documentsUrl: 'http://127.0.0.1:8090',
      origins: ['http://127.0.0.1:8080'],
    });
    const c = parseConfig({
      ROUTER_PUBLIC_URL: 'https://gw.example.com/',
      COLLECTOR_PUBLIC_URL: 'https://otel.example.com/',
      CONSOLE_EXTRA_ORIGINS: 'https://console.example.com, https://gw.example.com',
    });
    expect(c.console).toMatchObject({ routerUrl: 'https://gw.example.com', collectorUrl: 'https://otel.example.com', origins: ['https://gw.example.com', 'https://console.example.com'] });
    expect(problemsOf({ CONSOLE_EXTRA_ORIGINS: 'https://ok.example.com,https://bad.example.com/path' })).toEqual([
      'CONSOLE_EXTRA_ORIGINS: must be comma-separated origins like https://console.example.com',
    ]);
    expect(problemsOf({ ROUTER_PUBLIC_URL: 'ftp://x' })).toEqual(['ROUTER_PUBLIC_URL: must be a http: or https: URL']);
  });

  it('gives local-development defaults for everything', () => {
    const c = parseConfig({});
    expect(c.database.url).toBe('postgres://postgres@127.0.0.1:5432/switchyard');
    expect(c.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'sy' });
    expect(c.http).toMatchObject({ routerPort: 8080, collectorPort: 4318, documentsPort: 8090 });
    expect(c.documents.ocrModel).toBe('local-ocr/tesseract');
    expect(c.documents.renderWarmupPages).toBe(0);
    expect(c.admin.usingDevDefault).toBe(true);
  });

  it('caps vision images at the smaller of DOCUMENTS_VISION_MAX_SIDE and DOCUMENTS_IMAGE_MAX_SIDE', () => {
    expect(parseConfig({}).documents).toMatchObject({ imageMaxSide: 2000, visionMaxSide: 1568 });
    expect(parseConfig({ DOCUMENTS_IMAGE_MAX_SIDE: '1200' }).documents).toMatchObject({ imageMaxSide: 1200, visionMaxSide: 1200 });
    expect(parseConfig({ DOCUMENTS_VISION_MAX_SIDE: '4000' }).documents.visionMaxSide).toBe(2000);
  });

  it.each([
    [{ ...prod, GATEWAY_ADMIN_TOKEN: '' }, 'GATEWAY_ADMIN_TOKEN'],
    [{ ...prod, GATEWAY_MASTER_KEY: '' }, 'GATEWAY_MASTER_KEY'],
    [{ ...prod, GATEWAY_MASTER_KEY: 'c2hvcnQ=' }, 'GATEWAY_MASTER_KEY'],
    [{ ...prod, GATEWAY_ADMIN_TOKEN: 'short' }, 'GATEWAY_ADMIN_TOKEN'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'not a url' }, 'REDIS_URL'],
    [{ ROUTER_PORT: '70000' }, 'ROUTER_PORT'],
    [{ COLLECTOR_PORT: 'abc' }, 'COLLECTOR_PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ REDIS_PREFIX: 'has space' }, 'REDIS_PREFIX'],
    [{ DOCUMENTS_ALLOW_PRIVATE_URLS: 'maybe' }, 'DOCUMENTS_ALLOW_PRIVATE_URLS'],
    [{ GATEWAY_OLD_MASTER_KEYS: 'k0' }, 'GATEWAY_OLD_MASTER_KEYS'],
    [{ DOCUMENTS_STORAGE: 'disk' }, 'DOCUMENTS_STORAGE'],
    [{ DOCUMENTS_STORAGE: 's3' }, 'DOCUMENTS_S3_BUCKET'],
    [{ DOCUMENTS_STORAGE: 's3', DOCUMENTS_S3_BUCKET: 'docs', DOCUMENTS_S3_ENDPOINT: 'minio:9000' }, 'DOCUMENTS_S3_ENDPOINT'],
    [{ DOCUMENTS_S3_ACCESS_KEY_ID: 'AKIA' }, 'DOCUMENTS_S3_SECRET_ACCESS_KEY'],
  ])('names the bad variable: %j', (env, variable) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('selects the document storage: PostgreSQL by default, S3 with its bucket, prefix (ending in /) and endpoint', () => {
    expect(parseConfig({}).documents.storage).toEqual({ kind: 'postgres' });
    expect(
      parseConfig({
        DOCUMENTS_STORAGE: 's3',
        DOCUMENTS_S3_BUCKET: 'docs',
        DOCUMENTS_S3_PREFIX: '/switchyard',
        DOCUMENTS_S3_ENDPOINT: 'http://minio:9000',
        DOCUMENTS_S3_FORCE_PATH_STYLE: 'true',
        DOCUMENTS_S3_ACCESS_KEY_ID: 'minio',
        DOCUMENTS_S3_SECRET_ACCESS_KEY: 'minio-secret',
      }).documents.storage,
    ).toEqual({
      kind: 's3',
      bucket: 'docs',
      prefix: 'switchyard/',
      endpoint: 'http://minio:9000',
      region: null,
      forcePathStyle: true,
      credentials: { accessKeyId: 'minio', secretAccessKey: 'minio-secret' },
    });
    expect(parseConfig({ DOCUMENTS_STORAGE: 's3', DOCUMENTS_S3_BUCKET: 'docs' }).documents.storage).toMatchObject({ prefix: '', region: null, credentials: null });
  });

  it('accepts a full production configuration and never exposes secrets in its description', () => {
    const c = parseConfig({ ...prod, DATABASE_URL: 'postgres://u:hunter2@db:5432/sy', GATEWAY_OLD_MASTER_KEYS: `k0:${key}` });
    expect(c.secrets.previous).toHaveLength(1);
    expect(c.admin.usingDevDefault).toBe(false);
  });
});

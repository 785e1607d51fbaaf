import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';
import { DataSource } from 'typeorm';
import { toErrorResponse } from './error-response';

/** The errors PostgreSQL itself raises for values a request's text can hold, mapped as a request's error would be. */
describe('toErrorResponse on PostgreSQL errors', () => {
  let env: TestEnvironment;
  let ds: DataSource;
  beforeAll(async () => {
    env = await createTestEnvironment();
    // TypeORM as the services use it: a failed query throws its QueryFailedError, the driver's error in `driverError`.
    ds = await new DataSource({ type: 'postgres', url: env.config.database.url }).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await env?.cleanup();
  });

  const refusal = async (sql: string, value: string): Promise<unknown> => {
    try {
      await ds.query(sql, [value]);
    } catch (err) {
      return err;
    }
    throw new Error(`PostgreSQL took ${JSON.stringify(value)} for ${sql}`);
  };

  it.each([
    ['a NUL in a text column', 'SELECT $1::text', 'a\u0000b'],
    ['\\u0000 in a jsonb value', 'SELECT $1::jsonb', JSON.stringify({ name: 'a\u0000b' })],
    ['an unpaired high surrogate in a jsonb value', 'SELECT $1::jsonb', JSON.stringify({ description: 'a\ud800' })],
    ['an unpaired low surrogate in a jsonb key', 'SELECT $1::jsonb', JSON.stringify({ ['\udc00']: 1 })],
  ])('%s is a 400 naming the character, not a 500', async (_, sql, value) => {
    const res = toErrorResponse(await refusal(sql, value), 'req-1');
    expect(res).toMatchObject({ status: 400, internal: false, body: { error: { type: 'invalid_request_error', code: 'unstorable_character' } } });
    expect(res.body.error.message).toContain('NUL character');
  });

  it('other bad input reaching PostgreSQL stays an internal error (a value the service should have checked first)', async () => {
    const res = toErrorResponse(await refusal('SELECT $1::uuid', 'not-a-uuid'), 'req-2');
    expect(res).toMatchObject({ status: 500, internal: true, body: { error: { code: 'internal_error' } } });
    expect(toErrorResponse(await refusal('SELECT $1::jsonb', '{"a":'), 'req-3').status).toBe(500);
  });
});

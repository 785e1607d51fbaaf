import { parseConfig, rawEnv } from '@switchyard/config';
import { adminClient, TEMPLATE_DB_ENV } from '@switchyard/testing';

export default async function globalTeardown(): Promise<void> {
  const name = rawEnv()[TEMPLATE_DB_ENV];
  if (!name) return;
  const client = await adminClient(parseConfig({ ...rawEnv(), NODE_ENV: 'test' }).database.url);
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { rawEnv } from '@switchyard/config';
import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';

const CLI = resolve(__dirname, '../dist/tools/cli.js');

describe('CLI: tenants without the HTTP API, projects named by slug', () => {
  let env: TestEnvironment;

  const run = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, [CLI, ...args], { env: { PATH: rawEnv()['PATH'] ?? '', ...env.env }, timeout: 30_000 }, (err, stdout, stderr) =>
        res({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const json = async (...args: string[]) => {
    const r = await run(...args);
    if (r.code !== 0) throw new Error(`switchyard ${args.join(' ')}: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
  });

  afterAll(async () => {
    await env?.cleanup();
  });

  it('creates an organization, a project (answered as the project object) and a key for the project by its slug', async () => {
    const org = await json('orgs', 'create', 'Acme');
    const project = await json('projects', 'create', org['id'] as string, 'Support bot', '--slug', 'support');
    expect(project).toMatchObject({ id: 'support', name: 'Support bot', organization_id: org['id'] });
    expect(project['webhook_secret']).toMatch(/^whsec_/);

    const key = await json('keys', 'create', org['id'] as string, '--project', 'support', '--name', 'backend');
    expect(key).toMatchObject({ project_id: project['uuid'], name: 'backend' });
    expect(key['key']).toMatch(/^sy_/);

    const unknown = await run('keys', 'create', org['id'] as string, '--project', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: Project 'nope' does not exist in this organization. (project_id)");

    const rotated = await run('rotate-master-key');
    expect(rotated.stdout).toContain('re-sealed 0 secret(s)');
  });

  it('sets cache and DLP settings and manages custom DLP profiles, with the admin API\'s 400s', async () => {
    const org = await json('orgs', 'create', 'Governed');
    const orgId = org['id'] as string;
    const profile = await json('dlp-profiles', 'create', orgId, 'Employee ID', '--pattern', 'EMP-\\d{6}', 'STAFF-\\d{3}', '--case-insensitive');
    expect(profile).toMatchObject({ name: 'Employee ID', patterns: ['EMP-\\d{6}', 'STAFF-\\d{3}'], case_sensitive: false });
    const dlp = { enabled: true, policies: [{ id: 'staff', enabled: true, action: 'REDACT', check: ['REQUEST'], profiles: [profile['id'], 'email'] }] };
    const set = await json('projects', 'set', orgId, 'default', JSON.stringify({ cache_ttl: 600, cache_invalidate_on_update: true, dlp }));
    expect(set).toMatchObject({ cache_ttl: 600, cache_invalidate_on_update: true, dlp });
    const bad = await run('dlp-profiles', 'create', orgId, 'Broken', '--pattern', '(');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a valid regular expression');
    const list = (await json('dlp-profiles', 'list', orgId)) as unknown as { id: string }[];
    expect(list.map((p) => p.id)).toEqual([profile['id']]);
    expect(await json('dlp-profiles', 'delete', orgId, profile['id'] as string)).toEqual({ id: profile['id'], deleted: true });
  });
});

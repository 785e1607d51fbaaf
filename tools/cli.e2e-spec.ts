import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { rawEnv } from '@switchyard/config';
import { createTestEnvironment, type TestEnvironment } from '@switchyard/testing';

const CLI = resolve(__dirname, '../dist/tools/cli.js');

describe('CLI: tenants without the HTTP API, projects named by slug', () => {
  let env: TestEnvironment;

  const runWith = (extraEnv: Record<string, string>, ...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
      execFile(process.execPath, [CLI, ...args], { env: { PATH: rawEnv()['PATH'] ?? '', ...env.env, ...extraEnv }, timeout: 30_000 }, (err, stdout, stderr) =>
        res({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  const run = (...args: string[]) => runWith({}, ...args);
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

    const limited = await json('keys', 'limits', key['id'] as string, '--max-budget', '0.05', '--budget-duration', '1d', '--rpm', '60');
    expect(limited).toMatchObject({ max_budget: 0.05, budget_duration: '1d', rpm_limit: 60, tpm_limit: null });
    const badDuration = await run('keys', 'limits', key['id'] as string, '--budget-duration', '2d');
    expect(badDuration.code).toBe(1);
    expect(badDuration.stderr).toContain('(budget_duration)');
    const budgets = await json('budgets', org['id'] as string, '--project', 'support');
    expect(budgets).toMatchObject({ project: 'support', rules: [], keys: [{ id: key['id'], limit: 0.05, spent: 0, remaining: 0.05 }] });
    const cleared = await json('keys', 'limits', key['id'] as string, '--max-budget', 'none');
    expect(cleared).toMatchObject({ max_budget: null, rpm_limit: 60 });

    const rotated = await run('rotate-master-key');
    expect(rotated.stdout).toContain('re-sealed 0 secret(s)');
  });

  it('demo: the provider keys in the environment become default connections, once, and no key is printed', async () => {
    // Set explicitly (blank: unset) so that a developer's own .env cannot change what the test sees.
    const keys = { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: 'sk-ant-quickstart-secret-0123456789', GEMINI_API_KEY: '', MISTRAL_API_KEY: '', GROQ_API_KEY: 'gsk_quickstart-secret-0123456789', OLLAMA_BASE_URL: '' };
    const first = await runWith(keys, 'demo');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('[quickstart] anthropic: connection "anthropic" added from ANTHROPIC_API_KEY');
    expect(first.stdout).toContain('[quickstart] groq: connection "groq" added from GROQ_API_KEY');
    expect(first.stdout).toContain('"model":"claude-3-5-haiku"');
    expect(first.stdout).toMatch(/demo access key \(shown once\): sy_/);
    // A slug taken by another provider's connection: that key is skipped, the rest goes on.
    const orgId = /demo organization ([0-9a-f-]{36})/.exec(first.stdout)![1]!;
    await json('connections', 'create', orgId, 'openai-compatible', 'mistral', '--credentials', '{}', '--base-url', 'http://127.0.0.1:9/v1');
    const again = await runWith({ ...keys, OPENAI_API_KEY: 'sk-openai-quickstart-secret-0123456789', MISTRAL_API_KEY: 'mistral-quickstart-secret-0123456789' }, 'demo');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('demo organization exists');
    expect(again.stdout).toContain('[quickstart] anthropic: the demo organization has a connection already');
    expect(again.stdout).toContain('[quickstart] openai: connection "openai" added from OPENAI_API_KEY');
    expect(again.stdout).toContain("[quickstart] mistral: not added from MISTRAL_API_KEY (A connection with slug 'mistral' already exists.)");
    // The example calls the first provider the organization has now.
    expect(again.stdout).toContain('"model":"gpt-4o-mini"');
    for (const out of [first.stdout + first.stderr, again.stdout + again.stderr]) expect(out).not.toMatch(/quickstart-secret/);

    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ provider: string; slug: string; is_default: boolean; credentials_sealed: string }>(
        `select c.provider, c.slug, c.is_default, c.credentials_sealed from connections c join organizations o on o.id = c.organization_id where o.name = 'Demo' order by c.slug`,
      );
      expect(rows.map((r) => [r.provider, r.slug, r.is_default])).toEqual([
        ['anthropic', 'anthropic', true],
        ['groq', 'groq', true],
        ['openai-compatible', 'mistral', false],
        ['openai', 'openai', true],
      ]);
      expect(rows.every((r) => !r.credentials_sealed.includes('quickstart-secret'))).toBe(true);
    } finally {
      await db.end();
    }
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
  it('manages routes (versions, deployments), load-balance groups, configs and prompts, and organization quotas', async () => {
    const org = await json('orgs', 'create', 'Routing');
    const orgId = org['id'] as string;
    const quotas = await json('orgs', 'set', orgId, '{"quotas":{"monthly_requests":1000}}');
    expect(quotas['quotas']).toEqual({ monthly_requests: 1000, monthly_spend: null });

    const elements = (model: string) => [
      { id: 's', type: 'start', outputs: { next: { elementId: 'm' } } },
      { id: 'm', type: 'model', properties: { provider: 'openai', model, timeout: 30000, retries: 0 }, outputs: { success: { elementId: 'e' }, fallback: { elementId: 'e' } } },
      { id: 'e', type: 'end', outputs: {} },
    ];
    const route = await json('routes', 'create', orgId, 'default', JSON.stringify({ name: 'support', elements: elements('gpt-4o-mini') }));
    const v2 = await json('routes', 'version', orgId, 'default', 'support', JSON.stringify({ elements: elements('gpt-4.1-mini') }));
    expect(v2['version_id']).not.toBe(route['deployed_version_id']);
    const deployed = await json('routes', 'deploy', orgId, 'default', 'support', v2['version_id'] as string);
    expect(deployed['version_id']).toBe(v2['version_id']);
    const listed = (await json('routes', 'list', orgId, 'default')) as unknown as { name: string; deployed_version_id: string }[];
    expect(listed).toEqual([expect.objectContaining({ name: 'support', deployed_version_id: v2['version_id'] })]);
    const badRoute = await run('routes', 'create', orgId, 'default', JSON.stringify({ name: 'bad', elements: [{ id: 's', type: 'start', outputs: {} }] }));
    expect(badRoute.code).toBe(1);
    expect(badRoute.stderr).toContain('error:');

    await json('lb-groups', 'create', orgId, 'default', '{"name":"pool","models":[{"model":"openai/gpt-4o-mini","weight":3},{"model":"openai/gpt-4.1-mini","weight":1}]}');
    expect(await json('lb-groups', 'list', orgId, 'default')).toEqual([expect.objectContaining({ name: 'pool', strategy: 'weighted' })]);

    const prompt = await json('prompts', 'create', orgId, 'default', '{"name":"greeter","messages":[{"role":"system","content":"Greet {{ name }}."}]}');
    expect(prompt).toMatchObject({ name: 'greeter' });
    expect(((await json('prompts', 'list', orgId, 'default')) as unknown as unknown[]).length).toBe(1);
    expect((await run('prompts', 'deploy', orgId, 'default', 'greeter', '9')).code).toBe(1);
    expect(await json('configs', 'list', orgId, 'default')).toEqual([]);
  }, 180_000); // about 30 CLI processes, each a Node start-up: 60 s was not enough on a loaded machine
});

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
});

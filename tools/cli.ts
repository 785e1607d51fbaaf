/**
 * `npx switchyard …`: bootstrap tenants without the HTTP API (same services, same rules, same events).
 *   orgs create <name>                     projects create <org-id> <name> [--slug s]
 *   keys create <org-id> [--project <slug>] [--name n] [--admin] [--expires <iso>]
 *   keys list <org-id>                     keys revoke <key-id>
 *   keys limits <key-id> [--max-budget usd] [--budget-duration 1d] [--rpm n] [--tpm n] [--parallel n] [--models a,b]  ('none' clears)
 *   budgets <org-id> [--project <slug>]    (spend rules, key budgets and quotas with spent and remaining)
 *   connections create <org-id> <provider> <slug> --credentials '<json>' [--base-url u] [--default]
 *   demo                                   rotate-master-key
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { TenantDirectory, type AdminScope } from '@switchyard/auth';
import { GatewayCoreModule } from '@switchyard/core';
import { loadConfig } from '@switchyard/config';
import { LimitStore } from '@switchyard/metering';
import { OrganizationsRepository, REDIS_CLIENT } from '@switchyard/persistence';
import { BudgetsReport } from '@switchyard/routing';
import type { Redis } from 'ioredis';
import {
  AccessKeysService,
  ConnectionsService,
  OrganizationsService,
  ProjectsService,
  SecretRotationService,
  TenancyModule,
} from '@switchyard/tenancy';
import { GatewayError } from '@switchyard/types';
import { Metrics } from '@switchyard/telemetry';

@Module({})
class CliModule {
  static forRoot(): DynamicModule {
    return {
      module: CliModule,
      imports: [GatewayCoreModule.forRoot({ config: loadConfig(), service: 'cli', metrics: new Metrics('cli'), http: false }), TenancyModule],
    };
  }
}

const ROOT: AdminScope = { kind: 'root' };

interface Tenancy {
  organizations: OrganizationsService;
  projects: ProjectsService;
  keys: AccessKeysService;
  connections: ConnectionsService;
  rotation: SecretRotationService;
  orgRepo: OrganizationsRepository;
  directory: TenantDirectory;
  redis: Redis;
}

async function withTenancy<T>(fn: (t: Tenancy) => Promise<T>): Promise<T> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(), { logger: ['error'] });
  await app.init();
  try {
    return await fn({
      organizations: app.get(OrganizationsService),
      projects: app.get(ProjectsService),
      keys: app.get(AccessKeysService),
      connections: app.get(ConnectionsService),
      rotation: app.get(SecretRotationService),
      orgRepo: app.get(OrganizationsRepository),
      directory: app.get(TenantDirectory),
      redis: app.get<Redis>(REDIS_CLIENT),
    });
  } finally {
    await app.close();
  }
}

const print = (value: unknown) => console.log(JSON.stringify(value, null, 2));

const program = new Command('switchyard').description('Switchyard administration').showHelpAfterError();

const orgs = program.command('orgs').description('organizations');
orgs.command('create <name>').action((name: string) => withTenancy((t) => t.organizations.create(ROOT, { name })).then(print));

const projects = program.command('projects').description('projects');
projects
  .command('create <orgId> <name>')
  .option('--slug <slug>')
  .action((orgId: string, name: string, o: { slug?: string }) =>
    withTenancy((t) => t.projects.create(ROOT, orgId, { name, ...(o.slug ? { id: o.slug } : {}) })).then(print),
  );

const keys = program.command('keys').description('access keys');
keys
  .command('create <orgId>')
  .option('--project <project>', 'project id: its slug, or its UUID (omit for an organization key)')
  .option('--name <name>', 'a label', 'cli key')
  .option('--admin', 'may use the admin API for its organization')
  .option('--expires <iso>', 'expiry time (ISO-8601)')
  .action((orgId: string, o: { project?: string; name: string; admin?: boolean; expires?: string }) =>
    withTenancy((t) =>
      t.keys.create(ROOT, { organization_id: orgId, project_id: o.project, name: o.name, admin: o.admin, expires_at: o.expires }),
    ).then((k) => {
      print(k);
      console.error('\nThe key is shown once. Store it now.');
    }),
  );
keys.command('list <orgId>').action((orgId: string) => withTenancy((t) => t.keys.list(ROOT, orgId, true)).then(print));
keys.command('revoke <keyId>').action((keyId: string) => withTenancy((t) => t.keys.revoke(ROOT, keyId)).then(print));

/** A CLI limit value: a number, or `none` to clear the limit. */
const limitValue = (v: string | undefined): number | null | undefined => (v === undefined ? undefined : v === 'none' ? null : Number(v));

keys
  .command('limits <keyId>')
  .description("set a key's budget and rate limits ('none' clears one); checked on every replica within a second")
  .option('--max-budget <usd>', 'USD per budget duration (lifetime without one)')
  .option('--budget-duration <d>', '1h, 1d, 7d, 30d or 1mo (UTC-aligned windows)')
  .option('--rpm <n>', 'requests per minute')
  .option('--tpm <n>', 'tokens per minute')
  .option('--parallel <n>', 'requests in flight at once')
  .option('--models <list>', 'comma-separated models the key may call')
  .action((keyId: string, o: { maxBudget?: string; budgetDuration?: string; rpm?: string; tpm?: string; parallel?: string; models?: string }) => {
    const patch = {
      max_budget: limitValue(o.maxBudget),
      budget_duration: o.budgetDuration === 'none' ? null : o.budgetDuration,
      rpm_limit: limitValue(o.rpm),
      tpm_limit: limitValue(o.tpm),
      max_parallel_requests: limitValue(o.parallel),
      models: o.models === undefined ? undefined : o.models === 'none' ? null : o.models.split(',').map((m) => m.trim()),
    };
    const body = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return withTenancy((t) => t.keys.patch(ROOT, keyId, body)).then(print);
  });

program
  .command('budgets <orgId>')
  .description("a project's spend rules, key budgets and organization quotas, with spent and remaining")
  .option('--project <project>', 'the project slug or UUID', 'default')
  .action((orgId: string, o: { project: string }) =>
    withTenancy(async (t) => {
      const view = await t.projects.get(ROOT, orgId, o.project);
      const project = await t.directory.projectById(orgId, view.uuid);
      const config = loadConfig();
      const report = new BudgetsReport(new LimitStore(t.redis, { timeoutMs: config.router.limitsTimeoutMs }), config.redis.prefix);
      return report.build(project, await t.keys.list(ROOT, orgId));
    }).then(print),
  );

const connections = program.command('connections').description('provider connections (BYOK)');
connections
  .command('create <orgId> <provider> <slug>')
  .requiredOption('--credentials <json>', 'credentials JSON, e.g. {"api_key":"sk-..."}')
  .option('--name <name>')
  .option('--base-url <url>')
  .option('--default', 'the default connection of its provider')
  .action((orgId: string, provider: string, slug: string, o: { credentials: string; name?: string; baseUrl?: string; default?: boolean }) =>
    withTenancy((t) =>
      t.connections.create(ROOT, {
        organization_id: orgId,
        provider,
        slug,
        name: o.name ?? slug,
        credentials: JSON.parse(o.credentials) as unknown,
        base_url: o.baseUrl,
        is_default: o.default ?? false,
      }),
    ).then(print),
  );

program
  .command('demo')
  .description('create the demo organization, project and key (once) and print how to call the gateway')
  .action(() =>
    withTenancy(async (t) => {
      const config = loadConfig();
      const existing = (await t.orgRepo.list()).find((o) => o.name === 'Demo');
      if (existing) {
        console.log(`[quickstart] demo organization exists (${existing.id}); its key was printed when it was created.`);
        console.log(`[quickstart] a new key: npx switchyard keys create ${existing.id} --name demo`);
        return;
      }
      const org = await t.organizations.create(ROOT, { name: 'Demo' });
      const key = await t.keys.create(ROOT, { organization_id: org.id, project_id: 'default', name: 'demo' });
      const router = `http://${config.http.host}:${config.http.routerPort}`;
      console.log(`
[quickstart] demo organization ${org.id}, project "default"
[quickstart] demo access key (shown once): ${key.key}

Add a provider connection (your own key stays on the server, encrypted):
  curl -s ${router}/v1/admin/connections -H "Authorization: Bearer $GATEWAY_ADMIN_TOKEN" -H 'content-type: application/json' \\
    -d '{"organization_id":"${org.id}","provider":"openai","name":"OpenAI","slug":"openai","credentials":{"api_key":"sk-..."},"is_default":true}'

Try document parsing with no provider key at all (local OCR):
  curl -s http://${config.http.host}:${config.http.documentsPort}/v1/ocr/parse -H "Authorization: Bearer ${key.key}" -F file=@page.png

Then call any model through the router:
  curl -s ${router}/v1/chat/completions -H "Authorization: Bearer ${key.key}" -H 'content-type: application/json' \\
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'
`);
    }),
  );

program
  .command('rotate-master-key')
  .description('re-seal every stored secret under the current GATEWAY_MASTER_KEY (old keys in GATEWAY_OLD_MASTER_KEYS)')
  .action(() => withTenancy((t) => t.rotation.resealAll()).then((n) => console.log(`re-sealed ${n} secret(s)`)));

program.parseAsync().catch((err: unknown) => {
  if (err instanceof GatewayError) console.error(`error: ${err.message}${err.param ? ` (${err.param})` : ''}`);
  else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

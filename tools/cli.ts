/**
 * `npx switchyard …`: bootstrap tenants without the HTTP API (same services, same rules, same events).
 *   orgs create <name>                     projects create <org-id> <name> [--slug s]
 *   keys create <org-id> [--project <slug>] [--name n] [--admin] [--expires <iso>]
 *   keys list <org-id>                     keys revoke <key-id>
 *   keys limits <key-id> [--max-budget usd] [--budget-duration 1d] [--rpm n] [--tpm n] [--parallel n] [--models a,b]  ('none' clears)
 *   budgets <org-id> [--project <slug>]    (spend rules, key budgets and quotas with spent and remaining)
 *   connections create <org-id> <provider> <slug> --credentials '<json>' [--base-url u] [--default]
 *   projects set <org-id> <project> '<settings json>'   (e.g. '{"cache_ttl":600}', '{"dlp":{...}}')
 *   dlp-profiles create <org-id> <name> --pattern <regex>... [--case-insensitive] [--description d]
 *   dlp-profiles list <org-id>             dlp-profiles delete <org-id> <profile-id>
 *   orgs set <org-id> '<json>'              (the admin PATCH body: name, quotas)
 *   routes create|list|version|deploy      lb-groups create|list      configs create|list      prompts create|list|deploy
 *     (<org-id> <project> then the admin API's JSON body, see docs/routing.md)
 *   demo (also connects the provider keys in the environment)   rotate-master-key
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command } from 'commander';
import { TenantDirectory, type AdminScope } from '@switchyard/auth';
import { GatewayCoreModule } from '@switchyard/core';
import { loadConfig, rawEnv } from '@switchyard/config';
import { LimitStore } from '@switchyard/metering';
import { OrganizationsRepository, REDIS_CLIENT } from '@switchyard/persistence';
import { BudgetsReport } from '@switchyard/routing';
import type { Redis } from 'ioredis';
import { RouteAdminModule } from '../apps/router/src/admin/route-admin.module';
import {
  AccessKeysService,
  ConfigsService,
  ConnectionsService,
  DlpProfilesService,
  LoadBalanceGroupsService,
  OrganizationsService,
  ProjectsService,
  PromptsService,
  RoutesService,
  SecretRotationService,
  TenancyModule,
} from '@switchyard/tenancy';
import { GatewayError } from '@switchyard/types';
import { Metrics } from '@switchyard/telemetry';
import { chatCurl, demoConnectionsFromEnv, probeOllama, PROVIDER_KEYS, type DemoConnection } from './demo-connections';

@Module({})
class CliModule {
  static forRoot(): DynamicModule {
    return {
      module: CliModule,
      imports: [GatewayCoreModule.forRoot({ config: loadConfig(), service: 'cli', metrics: new Metrics('cli'), http: false }), TenancyModule, RouteAdminModule],
    };
  }
}

const ROOT: AdminScope = { kind: 'root' };

interface Tenancy {
  organizations: OrganizationsService;
  projects: ProjectsService;
  keys: AccessKeysService;
  connections: ConnectionsService;
  dlpProfiles: DlpProfilesService;
  routes: RoutesService;
  groups: LoadBalanceGroupsService;
  configs: ConfigsService;
  prompts: PromptsService;
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
      dlpProfiles: app.get(DlpProfilesService),
      routes: app.get(RoutesService),
      groups: app.get(LoadBalanceGroupsService),
      configs: app.get(ConfigsService),
      prompts: app.get(PromptsService),
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
orgs
  .command('set <orgId> <changes>')
  .description('rename or change quotas (the admin PATCH body as JSON), e.g. \'{"quotas":{"monthly_requests":100000}}\'')
  .action((orgId: string, changes: string) => withTenancy((t) => t.organizations.patch(ROOT, orgId, JSON.parse(changes) as unknown)).then(print));

/** `<group> create|list <orgId> <project> [json]` over a project-scoped admin service (docs/routing.md for the bodies). */
interface ProjectScoped {
  create(scope: AdminScope, organizationId: string, projectRef: string, input: unknown): Promise<unknown>;
  list(scope: AdminScope, organizationId: string, projectRef: string): Promise<unknown[]>;
}
function projectResource(name: string, description: string, service: (t: Tenancy) => ProjectScoped) {
  const group = program.command(name).description(description);
  group
    .command('create <orgId> <project> <body>')
    .description('the admin API\'s POST body as JSON')
    .action((orgId: string, project: string, body: string) => withTenancy((t) => service(t).create(ROOT, orgId, project, JSON.parse(body) as unknown)).then(print));
  group.command('list <orgId> <project>').action((orgId: string, project: string) => withTenancy((t) => service(t).list(ROOT, orgId, project)).then(print));
  return group;
}

const routes = projectResource('routes', 'dynamic routes (a first save creates and deploys version 1)', (t) => t.routes);
routes
  .command('version <orgId> <project> <route> <body>')
  .description('save a new version (not live until deployed): {"elements":[…]}')
  .action((orgId: string, project: string, route: string, body: string) =>
    withTenancy((t) => t.routes.createVersion(ROOT, orgId, project, route, JSON.parse(body) as unknown)).then(print),
  );
routes
  .command('deploy <orgId> <project> <route> <versionId>')
  .description('make a version live (an older one: a rollback)')
  .action((orgId: string, project: string, route: string, versionId: string) =>
    withTenancy((t) => t.routes.deploy(ROOT, orgId, project, route, { version_id: versionId })).then(print),
  );
projectResource('lb-groups', 'saved load-balance groups', (t) => t.groups);
projectResource('configs', 'configs with variants and targeting (x-gateway-config)', (t) => t.configs);
const prompts = projectResource('prompts', 'saved prompt templates (Keywords AI `prompt`)', (t) => t.prompts);
prompts
  .command('deploy <orgId> <project> <prompt> <version>')
  .action((orgId: string, project: string, prompt: string, version: string) =>
    withTenancy((t) => t.prompts.deploy(ROOT, orgId, project, prompt, { version: Number(version) })).then(print),
  );

const projects = program.command('projects').description('projects');
projects
  .command('create <orgId> <name>')
  .option('--slug <slug>')
  .action((orgId: string, name: string, o: { slug?: string }) =>
    withTenancy((t) => t.projects.create(ROOT, orgId, { name, ...(o.slug ? { id: o.slug } : {}) })).then(print),
  );

projects
  .command('set <orgId> <project> <settings>')
  .description('change gateway settings (the admin PATCH body as JSON), e.g. \'{"cache_ttl":600}\'')
  .action((orgId: string, project: string, settings: string) => withTenancy((t) => t.projects.patch(ROOT, orgId, project, JSON.parse(settings) as unknown)).then(print));

const dlpProfiles = program.command('dlp-profiles').description('custom DLP profiles (regular expressions) of an organization');
dlpProfiles
  .command('create <orgId> <name>')
  .requiredOption('--pattern <regex...>', 'one or more regular expressions (JavaScript syntax)')
  .option('--case-insensitive')
  .option('--description <text>')
  .action((orgId: string, name: string, o: { pattern: string[]; caseInsensitive?: boolean; description?: string }) =>
    withTenancy((t) => t.dlpProfiles.create(ROOT, orgId, { name, patterns: o.pattern, case_sensitive: !o.caseInsensitive, description: o.description })).then(print),
  );
dlpProfiles.command('list <orgId>').action((orgId: string) => withTenancy((t) => t.dlpProfiles.list(ROOT, orgId)).then(print));
dlpProfiles.command('delete <orgId> <id>').action((orgId: string, id: string) => withTenancy((t) => t.dlpProfiles.delete(ROOT, orgId, id)).then(print));

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
  .description('create the demo organization, project and key (once), connect the provider keys found in the environment, and print how to call the gateway')
  .action(() =>
    withTenancy(async (t) => {
      const config = loadConfig();
      const env = rawEnv();
      const wanted = demoConnectionsFromEnv(env, await probeOllama(env['OLLAMA_BASE_URL']));
      const router = `http://${config.http.host}:${config.http.routerPort}`;
      const existing = (await t.orgRepo.list()).find((o) => o.name === 'Demo');
      const org = existing ?? (await t.organizations.create(ROOT, { name: 'Demo' }));
      const connected = await connectDemoProviders(t, org.id, wanted);
      const tryModel = connected[0]?.model;
      if (existing) {
        console.log(`[quickstart] demo organization exists (${existing.id}); its key was printed when it was created.`);
        console.log(`[quickstart] a new key: npx switchyard keys create ${existing.id} --project default --name demo`);
        if (tryModel) console.log(`\nCall ${tryModel} through the router:\n  ${chatCurl(router, '<your demo key>', tryModel)}`);
        return;
      }
      const key = await t.keys.create(ROOT, { organization_id: org.id, project_id: 'default', name: 'demo' });
      console.log(`
[quickstart] demo organization ${org.id}, project "default"
[quickstart] demo access key (shown once): ${key.key}
`);
      if (!connected.length) {
        console.log(`No provider key in the environment (${PROVIDER_KEYS.map((p) => p.env).join(', ')}, or OLLAMA_BASE_URL).
Set one and run npm run quickstart again, or add a provider connection (your own key stays on the server, encrypted):
  curl -s ${router}/v1/admin/connections -H "Authorization: Bearer $GATEWAY_ADMIN_TOKEN" -H 'content-type: application/json' \\
    -d '{"organization_id":"${org.id}","provider":"openai","name":"OpenAI","slug":"openai","credentials":{"api_key":"sk-..."},"is_default":true}'

Try the router with no provider key at all (mock_response answers without calling a provider):
  curl -s ${router}/v1/chat/completions -H "Authorization: Bearer ${key.key}" -H 'content-type: application/json' \\
    -d '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}],"mock_response":"Hi from Switchyard"}'
`);
      }
      console.log(`Try document parsing with no provider key at all (local OCR):
  curl -s http://${config.http.host}:${config.http.documentsPort}/v1/ocr/parse -H "Authorization: Bearer ${key.key}" -F file=@page.png

Then call ${tryModel ?? 'any model'} through the router:
  ${chatCurl(router, key.key, tryModel ?? 'gpt-4o-mini')}
`);
    }),
  );

/**
 * Adds the connections the environment asks for to the demo organization, each as its provider's default,
 * skipping a provider the organization already has a connection of (so a re-run adds only what is new).
 * Prints which were added or kept, never a key. Returns those the organization has a connection for now.
 */
async function connectDemoProviders(t: Tenancy, organizationId: string, wanted: DemoConnection[]): Promise<DemoConnection[]> {
  const have = new Set((await t.connections.list(ROOT, organizationId)).map((c) => c.provider));
  const connected: DemoConnection[] = [];
  for (const c of wanted) {
    if (have.has(c.provider)) {
      console.log(`[quickstart] ${c.provider}: the demo organization has a connection already (${c.from} not re-read)`);
      connected.push(c);
      continue;
    }
    try {
      await t.connections.create(ROOT, {
        organization_id: organizationId,
        provider: c.provider,
        slug: c.slug,
        name: c.name,
        credentials: c.credentials,
        base_url: c.base_url,
        is_default: true,
      });
    } catch (err) {
      // E.g. the slug taken by another provider's connection: the quickstart goes on without this one.
      if (!(err instanceof GatewayError)) throw err;
      console.log(`[quickstart] ${c.provider}: not added from ${c.from} (${err.message})`);
      continue;
    }
    have.add(c.provider);
    connected.push(c);
    console.log(`[quickstart] ${c.provider}: connection "${c.slug}" added from ${c.from}`);
  }
  return connected;
}

program
  .command('rotate-master-key')
  .description('re-seal every stored secret under the current GATEWAY_MASTER_KEY (old keys in GATEWAY_OLD_MASTER_KEYS)')
  .action(() => withTenancy((t) => t.rotation.resealAll()).then((n) => console.log(`re-sealed ${n} secret(s)`)));

program.parseAsync().catch((err: unknown) => {
  if (err instanceof GatewayError) console.error(`error: ${err.message}${err.param ? ` (${err.param})` : ''}`);
  else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { GatewaysController } from './gateways.controller';
import { ProviderConfigsController } from './provider-configs.controller';
import { CfRoutesController } from './routes.controller';

const root = resolve(__dirname, '../../../..');
const doc = readFileSync(resolve(root, 'docs/cloudflare-compat.md'), 'utf8');

/** Every `METHOD path` the `cloudflare` SDK's aiGateway resources call, relative to `/accounts/{account_id}/ai-gateway/`. */
function sdkRoutes(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.js')) files.push(p);
    }
  };
  walk(resolve(root, 'node_modules/cloudflare/resources/ai-gateway'));
  const routes = new Set<string>();
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/_client\.(get|getAPIList|post|put|patch|delete)\(\(0, path_1\.path\) `\/accounts\/\$\{account_id\}\/ai-gateway\/([^`]*)`/g)) {
      const segments = m[2]!.split('/');
      const path = segments.map((s, i) => (s.startsWith('${') ? param(segments[i - 1]!) : s)).join('/');
      routes.add(`${m[1] === 'getAPIList' ? 'GET' : m[1]!.toUpperCase()} ${path}`);
    }
  }
  return [...routes].sort();
}

const param = (before: string) => ({ gateways: '{gateway_id}', versions: '{version_id}', url: '{provider}' })[before] ?? '{id}';

/** The routes the router's Cloudflare controllers serve, spelled as the SDK's. */
function servedRoutes(): string[] {
  const names: Record<string, string> = { ':gateway': '{gateway_id}', ':route': '{id}', ':version': '{version_id}', ':provider': '{provider}' };
  return [GatewaysController, CfRoutesController, ProviderConfigsController].flatMap((controller) => {
    const base = (Reflect.getMetadata(PATH_METADATA, controller) as string).replace(/^client\/v4\/accounts\/:account\/ai-gateway\//, '');
    const proto = controller.prototype as unknown as Record<string, unknown>;
    return Object.getOwnPropertyNames(proto).flatMap((name) => {
      const handler = name === 'constructor' ? undefined : proto[name];
      if (typeof handler !== 'function') return [];
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const full = [base, path === '/' ? '' : path].filter(Boolean).join('/');
      return [`${method} ${full.split('/').map((s) => names[s] ?? s).join('/')}`];
    });
  });
}

/** The rows of the doc's management table: route to status. */
const rows = new Map([...doc.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) [^`]+)` \| (.+) \|$/gm)].map((m) => [m[1]!, m[2]!]));

describe('docs/cloudflare-compat.md', () => {
  it("lists every route of the cloudflare SDK's aiGateway resources, and no other", () => {
    const sdk = sdkRoutes();
    expect(sdk.length).toBeGreaterThan(40);
    expect([...rows.keys()].sort()).toEqual(sdk);
  });

  it('marks done on the router exactly the routes the router serves', () => {
    const done = [...rows].filter(([, status]) => status.startsWith('done, router')).map(([route]) => route);
    expect(done.sort()).toEqual(servedRoutes().sort());
  });

  it('maps every cf-aig-* response header of Cloudflare', () => {
    for (const h of ['log-id', 'request-id', 'event-id', 'step', 'model', 'provider', 'cache-status', 'dlp']) expect(doc).toMatch(new RegExp(`^\\| [^|]*\`cf-aig-${h}\``, 'm'));
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { envSchema, parseConfig, type AppConfig } from '@switchyard/config';
import { parseAllDocuments } from 'yaml';

/**
 * infra/k8s against the code: every image, command, port, probe path and environment variable of the manifests is
 * checked against tools/services.json, the health controller and the config schema (libs/config), and each
 * Deployment has its HPA, PDB and a grace period that covers its drain (docs/operations.md#kubernetes).
 */
const root = resolve(__dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

/* eslint-disable @typescript-eslint/no-explicit-any -- parsed YAML */
type Doc = any;
const files = readdirSync(resolve(root, 'infra/k8s')).filter((f) => f.endsWith('.yaml'));
const docs: Doc[] = files.flatMap((f) =>
  parseAllDocuments(read(`infra/k8s/${f}`)).map((d) => {
    if (d.errors.length) throw new Error(`infra/k8s/${f}: ${d.errors[0]!.message}`);
    return d.toJS();
  }),
);
const of = (kind: string) => docs.filter((d) => d.kind === kind);
const named = (kind: string, name: string) => of(kind).find((d) => d.metadata.name === name);

const services = JSON.parse(read('tools/services.json')) as Record<string, { entry: string; nodeArgs: string[] }>;
const version = (JSON.parse(read('package.json')) as { version: string }).version;
const configMap = named('ConfigMap', 'switchyard-config').data as Record<string, string>;
const secretKeys = Object.keys(named('Secret', 'switchyard').stringData);
/** Valid stand-ins for the Secret's values (the manifest holds placeholders). */
const secrets: Record<string, string> = {
  DATABASE_URL: 'postgres://u:p@postgres:5432/switchyard',
  REDIS_URL: 'redis://redis:6379',
  GATEWAY_ADMIN_TOKEN: 'a-long-enough-admin-token',
  GATEWAY_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
};
const healthPaths = [...read('libs/http/src/health/health.controller.ts').matchAll(/@Get\('([a-z]+)'\)/g)].map((m) => `/${m[1]}`);

/** The deployables: service name in tools/services.json, Deployment, its port variable and the drain it must cover (seconds). */
const deployables: [string, string, ((c: AppConfig) => number) | null, (c: AppConfig) => number][] = [
  ['router', 'switchyard-router', (c) => c.http.routerPort, (c) => c.router.requestTimeoutMs / 1000],
  ['collector', 'switchyard-collector', (c) => c.http.collectorPort, (c) => c.limits.bodyIdleTimeoutMs / 1000],
  ['documents', 'switchyard-documents', (c) => c.http.documentsPort, (c) => c.documents.maxWaitSeconds],
  ['worker', 'switchyard-worker', null, (c) => c.router.requestTimeoutMs / 1000],
];

/** The environment a container runs with: the image's, the ConfigMap's, the Secret's and its own. */
function envOf(container: Doc): Record<string, string> {
  const own = Object.fromEntries((container.env ?? []).map((e: { name: string; value: string }) => [e.name, String(e.value)]));
  return { NODE_ENV: 'production', HOST: '0.0.0.0', ...configMap, ...secrets, ...own };
}

describe('Kubernetes manifests (infra/k8s)', () => {
  it('name only variables of the config schema, and the Secret exactly the secret ones', () => {
    const known = new Set(Object.keys(envSchema.shape));
    const names = [...Object.keys(configMap), ...secretKeys, ...of('Deployment').flatMap((d) => d.spec.template.spec.containers.flatMap((c: Doc) => (c.env ?? []).map((e: Doc) => e.name)))];
    expect(names.filter((n) => !known.has(n))).toEqual([]);
    expect(secretKeys.sort()).toEqual(Object.keys(secrets).sort());
    for (const d of [...of('Deployment'), ...of('Job')]) {
      for (const c of d.spec.template.spec.containers) expect(c.envFrom).toEqual([{ configMapRef: { name: 'switchyard-config' } }, { secretRef: { name: 'switchyard' } }]);
    }
  });

  it('has a Deployment per service of tools/services.json and a migrate Job, all on the package version of the image', () => {
    expect(of('Deployment').map((d) => d.metadata.name).sort()).toEqual(deployables.map(([, name]) => name).sort());
    const job = named('Job', 'switchyard-migrate');
    const [migrate] = job.spec.template.spec.containers;
    expect(migrate.command).toEqual(['node', 'dist/tools/migrate.js', 'up']);
    expect(read('tools/migrate.ts')).toContain("'up'");
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    for (const d of [...of('Deployment'), job]) for (const c of d.spec.template.spec.containers) expect(c.image).toBe(`switchyard:${version}`);
  });

  it.each(deployables)('%s: command, config, port, probes, Service, resources', (service, name, portOf) => {
    const d = named('Deployment', name);
    const pod = d.spec.template.spec;
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    const svc = services[service]!;
    expect(c.command).toEqual(['node', ...svc.nodeArgs, svc.entry]);
    // The whole environment passes the config schema, as the process would at boot.
    const config = parseConfig(envOf(c));
    expect(config.http.host).toBe('0.0.0.0');
    expect(d.spec.selector.matchLabels).toEqual({ app: name });
    expect(d.spec.template.metadata.labels).toMatchObject({ app: name });
    expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits.memory).toEqual(expect.any(String));
    expect(c.readinessProbe).toBeDefined();
    expect(c.livenessProbe).toBeDefined();
    if (!portOf) {
      // The worker: no HTTP server, no Service; its probes read the heartbeat file it is told to write.
      expect(c.ports).toBeUndefined();
      expect(config.documents.heartbeatFile).toBeTruthy();
      for (const probe of [c.readinessProbe, c.livenessProbe]) expect(probe.exec.command.join(' ')).toContain(config.documents.heartbeatFile);
      expect(of('Service').filter((s) => s.spec.selector.app === name)).toEqual([]);
      return;
    }
    const port = portOf(config);
    expect(c.ports.map((p: Doc) => p.containerPort)).toEqual([port]);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port });
    for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
      expect(healthPaths).toContain(probe.httpGet.path);
      expect(probe.httpGet.port).toBe(port);
    }
    const [s, ...more] = of('Service').filter((x) => x.spec.selector.app === name);
    expect(more).toEqual([]);
    expect(s.spec.ports.map((p: Doc) => p.targetPort)).toEqual([port]);
  });

  it.each(deployables)('%s: an HPA and a PDB that leaves room to drain, a grace period covering the drain', (_service, name, _port, drainOf) => {
    const d = named('Deployment', name);
    const hpa = of('HorizontalPodAutoscaler').find((h) => h.spec.scaleTargetRef.name === name);
    const pdb = of('PodDisruptionBudget').find((p) => p.spec.selector.matchLabels.app === name);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name });
    expect(hpa.spec.metrics.length).toBeGreaterThan(0);
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(d.spec.replicas > 1 ? 2 : 1);
    expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas);
    // A PDB that requires every replica would block node drains for ever.
    expect(pdb.spec.minAvailable).toBeLessThan(hpa.spec.minReplicas);
    const c = d.spec.template.spec.containers[0];
    const drain = drainOf(parseConfig(envOf(c)));
    const preStop = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    const grace = d.spec.template.spec.terminationGracePeriodSeconds;
    expect(grace).toBeGreaterThanOrEqual(drain + preStop);
    expect(grace).toBeLessThanOrEqual(drain + preStop + 15);
  });
});

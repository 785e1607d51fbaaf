import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * tools/services.json says how each service process starts (entry point and Node flags). Every other
 * place that starts one spells the command out; this keeps them from drifting apart.
 */
const root = resolve(__dirname, '..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');
const services = JSON.parse(read('tools/services.json')) as Record<string, { entry: string; nodeArgs: string[] } | string>;
const commandOf = (name: string) => {
  const svc = services[name] as { entry: string; nodeArgs: string[] };
  return ['node', ...svc.nodeArgs, svc.entry];
};
const asJsonArray = (argv: string[]) => `[${argv.map((a) => JSON.stringify(a)).join(', ')}]`;

describe('service start commands', () => {
  const names = Object.keys(services).filter((k) => !k.startsWith('$'));

  it('lists the four processes with entry points the build produces', () => {
    expect(names.sort()).toEqual(['collector', 'documents', 'router', 'worker']);
    for (const name of names) expect(commandOf(name).at(-1)).toMatch(/^dist\/apps\/\w+\/src\/\w+\.js$/);
  });

  it.each(['router', 'collector', 'documents', 'worker'])('docker-compose.yml starts %s as tools/services.json says', (name) => {
    expect(read('docker-compose.yml')).toContain(`command: ${asJsonArray(commandOf(name))}`);
  });

  it('the image starts the router, and the Kubernetes manifest runs it, with the same flags', () => {
    expect(read('infra/Dockerfile')).toContain(`CMD ${asJsonArray(commandOf('router'))}`);
    expect(read('infra/k8s/router.yaml')).toContain(`command: ${asJsonArray(commandOf('router'))}`);
  });

  it.each([
    ['router', 'apps/router/project.json', 'serve'],
    ['collector', 'apps/collector/project.json', 'serve'],
    ['documents', 'apps/documents/project.json', 'serve'],
    ['worker', 'apps/documents/project.json', 'worker'],
  ])('nx %s runs the %s command', (name, projectFile, target) => {
    const project = JSON.parse(read(projectFile)) as { targets: Record<string, { options: { command: string } }> };
    expect(project.targets[target]!.options.command).toBe(commandOf(name).join(' '));
  });
});

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createTestEnvironment,
  freePort,
  httpJson,
  MockOpenAIServer,
  startServiceProcess,
  startWorkerProcess,
  textPdf,
  type ServiceProcess,
  type TestEnvironment,
  type WorkerProcess,
} from '@switchyard/testing';

/**
 * Issue 16: the console in a real headless Chromium against the built router, collector, documents API and worker,
 * with the OpenAI mock as the only fake. Screenshots go to artifacts/console (gitignored); the main ones are copied
 * into docs/console by hand when the UI changes.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = resolve(__dirname, '../../../artifacts/console');
const built = existsSync(resolve(__dirname, '../../../dist/console/index.html'));
const run = existsSync(CHROMIUM) && built ? describe : describe.skip;

run('console in a headless browser', () => {
  let env: TestEnvironment;
  let mock: MockOpenAIServer;
  let services: ServiceProcess[] = [];
  let worker: WorkerProcess | undefined;
  let router: ServiceProcess;
  let collector: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let orgId: string;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    mock = await MockOpenAIServer.start();
    const [routerPort, collectorPort, documentsPort] = [await freePort(), await freePort(), await freePort()];
    env = await createTestEnvironment({
      ROUTER_PUBLIC_URL: `http://127.0.0.1:${routerPort}`,
      COLLECTOR_PUBLIC_URL: `http://127.0.0.1:${collectorPort}`,
      DOCUMENTS_PUBLIC_URL: `http://127.0.0.1:${documentsPort}`,
    });
    // Every request gets the gateway's own spans, so the playground's request has a trace to open.
    router = await startServiceProcess('router', { ...env.env, OTEL_GATEWAY_SPANS: 'all' }, routerPort);
    collector = await startServiceProcess('collector', env.env, collectorPort);
    const documents = await startServiceProcess('documents', env.env, documentsPort);
    worker = await startWorkerProcess(env.env);
    services = [router, collector, documents];
    const org = await httpJson(`${router.url}/v1/admin/organizations`, { token: env.config.admin.token, body: { name: 'Console demo' } });
    orgId = org.body.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on('console', (m) => {
      // A refused request the page shows in words (the wrong token below) is logged by Chromium itself; anything else is a fault.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  }, 120_000);

  afterEach(async () => {
    // On a failure: what the page showed and said.
    if (problems.length) console.warn(problems.join('\n'));
    await shot('last').catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await Promise.all(services.map((s) => s.stop()));
    await mock?.close();
    await env?.cleanup();
  });

  const shot = (name: string) => page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
  /** Opens a page from the sidebar and waits for its (lazily loaded) heading. */
  const nav = async (name: string, heading = name) => {
    await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
  };

  it('signs in, creates a key and a connection, chats (Markdown), finds and rates the log, opens traces and the log of a gateway span, parses a PDF and extracts from it, deploys a route, a config and a prompt, and reads logs with an org admin key', async () => {
    // The static files: no auth, hashed assets immutable, client routes fall back to index.html.
    const index = await fetch(`${router.url}/console/logs`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = /\/console\/(assets\/index-[^"]+\.js)/.exec(await index.text())![1]!;
    expect((await fetch(`${router.url}/console/${asset}`)).headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${router.url}/console/assets/nope.js`)).status).toBe(404);

    // CORS: the collector and documents service answer the console's origin, not another.
    const preflight = (url: string, origin: string) =>
      fetch(url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    for (const service of services.slice(1)) {
      const allowed = await preflight(`${service.url}/v1/auth/key`, router.url);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(router.url);
      expect((await preflight(`${service.url}/v1/auth/key`, 'http://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
    }

    // The switcher's list: every organization for the admin token, its own for an organization admin key, 403 otherwise.
    const other = await httpJson(`${router.url}/v1/admin/organizations`, { token: env.config.admin.token, body: { name: 'Other' } });
    const adminKey = await httpJson(`${router.url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: other.body.id, name: 'ops', admin: true } });
    const plainKey = await httpJson(`${router.url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: other.body.id, name: 'app' } });
    const all = await httpJson(`${router.url}/v1/admin/organizations`, { token: env.config.admin.token });
    expect(all.body.data.map((o: { name: string }) => o.name)).toEqual(['Console demo', 'Other']);
    expect(all.body.data[0].default_project_id).toMatch(/^[0-9a-f-]{36}$/);
    const own = await httpJson(`${router.url}/v1/admin/organizations`, { token: adminKey.body.key });
    expect(own.body.data.map((o: { id: string }) => o.id)).toEqual([other.body.id]);
    expect((await httpJson(`${router.url}/v1/admin/organizations`, { token: plainKey.body.key })).status).toBe(403);

    // Sign in: a wrong token shows the API's message, the admin token gets in (and is not in the URL).
    await page.goto(`${router.url}/console/`);
    await page.getByLabel('Admin token or key').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe('Invalid or missing access key.');
    await page.getByLabel('Admin token or key').fill(env.config.admin.token);
    await shot('sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(page.url()).not.toContain(env.config.admin.token);
    expect(await page.getByLabel('Organization').inputValue()).toBe(orgId);

    // Keys: create one, see it once.
    await nav('Keys', 'Access keys');
    await page.getByRole('form', { name: 'Create a key' }).getByLabel('Name').fill('console e2e');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('new-key').textContent())!.trim();
    expect(key).toMatch(/^sy_[A-Za-z0-9]{48}$/);
    await page.getByRole('table', { name: 'Access keys' }).getByText('console e2e').waitFor();
    await shot('keys');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByText(key).count()).toBe(0);

    // Connections: an OpenAI connection to the mock; the secret is never shown back.
    await nav('Connections');
    const form = page.getByRole('form', { name: 'Add a connection' });
    await form.getByLabel('Name', { exact: true }).fill('Mock OpenAI');
    await form.getByLabel(/^Slug/).fill('mock');
    await form.getByLabel('API key').fill('sk-console-e2e-secret-1234');
    await form.getByLabel(/Base URL/).fill(mock.url);
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByRole('table', { name: 'Connections' }).getByText('@mock').waitFor();
    expect(await page.content()).not.toContain('sk-console-e2e-secret-1234');
    // Test connection: a 1-token call with the new key.
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Access key for these calls').fill(key);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('Connection works').waitFor();
    await shot('connections');

    // Playground: streamed through the router, with the gateway's headers.
    await nav('Playground');
    await page.getByLabel('Model', { exact: true }).fill('@mock/gpt-4o-mini');
    await page.getByLabel('Message').fill('Say hello');
    // The answer is Markdown with a table: rendered (remark-gfm), its raw HTML escaped.
    mock.enqueue({ content: ['Hello', ' from', ' the mock.', '\n\n| Plan | Price |\n|---|---|\n| Pro | $20 |\n\n<b>raw</b>'], usage: { prompt_tokens: 11, completion_tokens: 20 } });
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Hello from the mock.').waitFor();
    const conversation = page.getByRole('list', { name: 'Conversation' });
    await conversation.getByRole('cell', { name: '$20' }).waitFor();
    expect(await conversation.locator('b').count()).toBe(0);
    expect(await conversation.textContent()).toContain('<b>raw</b>');
    expect(await page.getByRole('region', { name: 'Response headers' }).textContent()).toContain('x-gateway-provider');
    await shot('playground');

    // Logs: filter by model, find the streamed request, thumbs up.
    await nav('Logs');
    await page.getByLabel('Filter field').selectOption('metadata.value');
    await page.getByLabel('Filter value').fill('console-playground');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await page.getByRole('list', { name: 'Active filters' }).getByText('metadata.value is console-playground').waitFor();
    const table = page.getByRole('table', { name: 'Logs' });
    for (let i = 0; i < 40 && !(await table.isVisible()); i++) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(250);
    }
    await table.getByRole('row').nth(1).click();
    const detail = page.getByRole('complementary', { name: 'Log detail' });
    await detail.getByText('Hello from the mock.').waitFor();
    await detail.getByRole('region', { name: 'Response body' }).getByRole('cell', { name: 'Pro' }).waitFor();
    await detail.getByRole('button', { name: /Thumbs up/ }).click();
    await detail.getByText('Saved').waitFor();
    await shot('logs');
    const logs = await httpJson(`${collector.url}/v1/logs?project=${orgId}/default`, { token: env.config.admin.token });
    expect(logs.body.data.filter((l: { feedback: number | null }) => l.feedback === 1)).toHaveLength(1);

    // Traces: a client's trace sent over OTLP, opened from the list.
    const traceId = '5b8efff798038103d269b633813fc60c';
    const t0 = BigInt(Date.now() - 5_000) * 1_000_000n;
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
          scopeSpans: [
            {
              spans: [
                { traceId, spanId: 'aaaaaaaaaaaaaaaa', name: 'POST /checkout', kind: 2, startTimeUnixNano: String(t0), endTimeUnixNano: String(t0 + 900_000_000n) },
                {
                  traceId,
                  spanId: 'bbbbbbbbbbbbbbbb',
                  parentSpanId: 'aaaaaaaaaaaaaaaa',
                  name: 'chat gpt-4o-mini',
                  kind: 3,
                  startTimeUnixNano: String(t0 + 100_000_000n),
                  endTimeUnixNano: String(t0 + 700_000_000n),
                  attributes: [
                    { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o-mini' } },
                    { key: 'gen_ai.usage.input_tokens', value: { intValue: '11' } },
                    { key: 'gen_ai.usage.output_tokens', value: { intValue: '4' } },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    const projectKey = await httpJson(`${router.url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: orgId, project_id: 'default', name: 'otlp' } });
    expect((await httpJson(`${collector.url}/v1/traces`, { token: projectKey.body.key, body: otlp })).status).toBe(200);
    await nav('Traces');
    const traces = page.getByRole('table', { name: 'Traces' });
    for (let i = 0; i < 40 && !(await traces.isVisible()); i++) {
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForTimeout(250);
    }
    await traces.getByText('POST /checkout').click();
    await page.getByRole('list', { name: 'Waterfall' }).getByText('chat gpt-4o-mini').click();
    await page.getByRole('region', { name: 'Span detail' }).getByText('gen_ai.request.model').waitFor();
    await shot('trace');

    // The gateway's own trace of the playground request, found by its log id; its GenAI span links to the log.
    const rated = logs.body.data.find((l: { feedback: number | null }) => l.feedback === 1) as { id: string };
    await page.getByRole('link', { name: 'All traces' }).click();
    await page.getByLabel('Attribute').fill(`switchyard.log_id=${rated.id}`);
    const gatewayTraces = page.getByRole('table', { name: 'Traces' });
    for (let i = 0; i < 40; i++) {
      await page.getByRole('button', { name: 'Search' }).click();
      await page.waitForTimeout(250);
      if ((await gatewayTraces.isVisible()) && (await gatewayTraces.getByRole('row').count()) > 1) break;
    }
    await gatewayTraces.getByRole('row').nth(1).click();
    const waterfall = page.getByRole('list', { name: 'Waterfall' });
    await waterfall.getByRole('listitem').first().waitFor();
    expect(await waterfall.getByRole('listitem').count()).toBeGreaterThanOrEqual(2); // the request span and its attempt
    await waterfall.getByRole('listitem').first().click();
    const spanDetail = page.getByRole('region', { name: 'Span detail' });
    await spanDetail.getByText('switchyard.log_id').waitFor();
    await shot('trace-gateway');
    await spanDetail.getByRole('link', { name: 'Open the request log' }).click();
    await page.getByRole('complementary', { name: 'Log detail' }).getByText('Hello from the mock.').waitFor();
    expect(page.url()).toContain(`/console/logs/${rated.id}`);

    // Documents: a 2-page PDF in text mode, both pages' Markdown beside the page images.
    await nav('Documents');
    const pdf = resolve(SHOTS, 'two-pages.pdf');
    writeFileSync(pdf, await textPdf([['First page of the console test'], ['Second page says goodbye']]));
    await page.getByLabel('File').setInputFiles(pdf);
    await page.getByLabel('Mode', { exact: true }).selectOption('text');
    await page.getByRole('button', { name: 'Parse' }).click();
    await page.getByRole('region', { name: 'Markdown of page 1' }).getByText('First page of the console test').waitFor({ timeout: 30_000 });
    await page.getByRole('region', { name: 'Markdown of page 2' }).getByText('Second page says goodbye').waitFor();
    expect(await page.getByTestId('job-status').textContent()).toBe('succeeded');
    // Both pages drawn with pdf.js beside their Markdown.
    await page.locator('canvas[data-rendered="true"]').nth(1).waitFor();
    await shot('documents');

    // Extraction from the parsed document: the schema is checked before submit, the validated JSON shown.
    const extractForm = page.getByRole('form', { name: 'Extract data' });
    const schemaBox = extractForm.getByLabel('JSON Schema');
    await schemaBox.fill('{"type": "object",');
    await extractForm.getByRole('alert').getByText(/^Not JSON/).waitFor();
    expect(await extractForm.getByRole('button', { name: 'Extract' }).isDisabled()).toBe(true);
    await schemaBox.fill(JSON.stringify({ type: 'object', properties: { first_line: { type: 'string' }, pages: { type: 'integer' } }, required: ['first_line', 'pages'], additionalProperties: false }));
    await extractForm.getByLabel('Extraction model').fill('@mock/gpt-4o-mini');
    mock.enqueue({ content: JSON.stringify({ first_line: 'First page of the console test', pages: 2 }), usage: { prompt_tokens: 40, completion_tokens: 12 } });
    await extractForm.getByRole('button', { name: 'Extract' }).click();
    const extracted = page.getByRole('region', { name: 'Extracted data' });
    await extracted.getByText('"first_line": "First page of the console test"').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('extract-valid').textContent()).toBe('valid');
    const extractCall = mock.requests[mock.requests.length - 1]!.body as { response_format: { type: string; json_schema: { schema: unknown } } };
    expect(extractCall.response_format.json_schema.schema).toMatchObject({ required: ['first_line', 'pages'] });
    await shot('documents-extract');

    // Routes: create one (its first version is live), save a second version, deploy it.
    await nav('Routes', 'Dynamic routes');
    await page.getByRole('form', { name: 'Create a route' }).getByLabel('Name').fill('support');
    await page.getByRole('button', { name: 'Create route' }).click();
    await page.getByRole('region', { name: 'Route graph' }).getByText('model: model').waitFor();
    const versions = page.getByRole('list', { name: 'Versions' });
    await versions.getByText('live').waitFor();
    const elements = page.getByRole('form', { name: 'New version' }).getByLabel('Elements');
    await elements.fill((await elements.inputValue()).replace('"gpt-4o-mini"', '"gpt-4.1-mini"'));
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByRole('region', { name: 'Version diff' }).getByText('"model": "gpt-4.1-mini"').waitFor();
    await versions.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('list', { name: 'Deployments' }).getByRole('listitem').nth(1).waitFor();
    await shot('routes');
    const deployed = await httpJson(`${router.url}/v1/admin/organizations/${orgId}/projects/default/routes/support/deployments`, { token: env.config.admin.token });
    expect(deployed.body.data).toHaveLength(2);

    // Configs: create one, a variant, a second version, then pin the rules to version 1 (a rollback).
    await nav('Configs');
    const newConfig = page.getByRole('form', { name: 'Create a config' });
    await newConfig.getByLabel('Name').fill('Support bot');
    await newConfig.getByLabel(/^Slug/).fill('support');
    await page.getByRole('button', { name: 'Create config' }).click();
    const addVariant = page.getByRole('form', { name: 'Add a variant' });
    await addVariant.getByLabel('Variant name').fill('control');
    await addVariant.getByLabel('Model').fill('gpt-4o-mini');
    await addVariant.getByLabel(/^System prompt/).fill('You help {{ name | title }}.');
    await page.getByRole('button', { name: 'Add variant' }).click();
    const variantVersions = page.getByRole('list', { name: 'Variant versions' });
    await variantVersions.getByText(/^v1 · gpt-4o-mini/).waitFor();
    const nextVersion = page.getByRole('form', { name: 'New version of control' });
    await nextVersion.getByLabel('Model').fill('gpt-4.1-mini');
    await nextVersion.getByRole('button', { name: 'Save version' }).click();
    await variantVersions.getByText(/^v2 · gpt-4.1-mini/).waitFor();
    await variantVersions.getByRole('button', { name: 'Pin rules to v1' }).click();
    await variantVersions.getByRole('listitem').filter({ hasText: /^v1 ·/ }).getByText('served').waitFor();
    await shot('configs');
    const config = await httpJson(`${router.url}/v1/admin/organizations/${orgId}/projects/default/configs/support`, { token: env.config.admin.token });
    expect(config.body.rules).toMatchObject([{ variant: 'control', version: 1 }]);
    expect(config.body.variants[0].latest).toMatchObject({ version: 2, model: 'gpt-4.1-mini' });

    // Prompts: create one (v1 deployed), save v2, deploy it, roll back to v1.
    await nav('Prompts');
    await page.getByRole('form', { name: 'Create a prompt' }).getByLabel('Name').fill('haiku');
    await page.getByRole('button', { name: 'Create prompt' }).click();
    const promptVersions = page.getByRole('list', { name: 'Prompt versions' });
    await promptVersions.getByText('deployed').waitFor();
    const promptMessages = page.getByRole('form', { name: 'New prompt version' }).getByLabel(/^Messages/);
    await promptMessages.fill((await promptMessages.inputValue()).replace('haiku', 'limerick'));
    await page.getByRole('button', { name: 'Save version' }).click();
    await page.getByRole('region', { name: 'Prompt diff' }).getByText('limerick').waitFor();
    await promptVersions.getByRole('button', { name: 'Deploy' }).click();
    await promptVersions.getByRole('button', { name: 'Roll back to this' }).click();
    await promptVersions.getByRole('listitem').filter({ hasText: /^v1 ·/ }).getByText('deployed').waitFor();
    await shot('prompts');
    const prompt = await httpJson(`${router.url}/v1/admin/organizations/${orgId}/projects/default/prompts/haiku`, { token: env.config.admin.token });
    expect(prompt.body).toMatchObject({ deployed_version: 1, latest_version: 2 });

    // Overview and Projects render with the data; the phone layout and the dark theme.
    // A later visit asks the collector again (the range ends now) and shows this session's requests.
    const analyticsCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/analytics')) analyticsCalls.push(r.url());
    });
    await nav('Overview');
    await page.getByText('Cache hit rate').waitFor();
    await page.getByRole('figure').first().waitFor();
    expect(analyticsCalls.length).toBeGreaterThanOrEqual(1);
    await shot('overview');
    await nav('Projects');
    await page.getByRole('form', { name: 'Gateway settings' }).waitFor();
    await shot('projects');
    await page.getByLabel('Theme').selectOption('dark');
    await nav('Overview');
    await page.getByRole('figure').first().waitFor();
    await shot('overview-dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('overview-phone');

    // Signed in with an organization admin key: the collector's pages answer for the selected project.
    await page.setViewportSize({ width: 1360, height: 900 });
    const orgAdminKey = await httpJson(`${router.url}/v1/admin/access-keys`, { token: env.config.admin.token, body: { organization_id: orgId, name: 'console admin', admin: true } });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token or key').fill(orgAdminKey.body.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByRole('figure').first().waitFor();
    await nav('Logs');
    await page.getByRole('table', { name: 'Logs' }).getByRole('row').nth(1).waitFor();
    await shot('logs-org-key');

    expect(problems).toEqual([]);
  }, 300_000);
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { parseConfig } from '@switchyard/config';
import { ModelCatalog } from '@switchyard/routing';
import {
  httpJson,
  invoicePdf,
  MockOpenAIServer,
  startWorkerProcess,
  textPdf,
  type MockScript,
  type RecordedRequest,
  type SeededTenant,
  type ServiceProcess,
  type TestEnvironment,
  type WorkerProcess,
  type ParsedJson,
} from '@switchyard/testing';
import { startDocuments } from '../src/bootstrap';
import { startDocumentsFixture, type DocumentsFixture } from './documents-fixture';
import { postFile, waitForJob } from './helpers';

jest.setTimeout(120_000);

const pageOf = (r: RecordedRequest) => Number(/Transcribe page (\d+)/.exec(r.text)?.[1] ?? NaN);
const isExtraction = (r: RecordedRequest) => Boolean(r.body.response_format);

const INVOICE = {
  store_name: 'ACME Hardware Store',
  date: '2024-03-15',
  total_amount: 32.25,
  items: [
    { name: 'Hammer', quantity: 2, price: 12.5 },
    { name: 'Screwdriver', quantity: 1, price: 7.25 },
  ],
};
const TEMPLATE = { store_name: 'string', date: 'string', total_amount: 'number', items: [{ name: 'string', quantity: 'number', price: 'number' }] };

/** Every answer of the mock model: the script the test decides, with 100 input / 20 output tokens. */
let mock: MockOpenAIServer;
const reply = (fn: (r: RecordedRequest) => MockScript) => {
  mock.respond = (r) => ({ usage: { prompt_tokens: 100, completion_tokens: 20 }, ...fn(r) });
};

describe('documents with a vision model (mock OpenAI server), extraction, webhooks, crash recovery', () => {
  let fx: DocumentsFixture;
  let env: TestEnvironment, router: ServiceProcess, worker: WorkerProcess, url: string, tenant: SeededTenant;
  let extractionReply: (r: RecordedRequest, n: number) => string;

  beforeAll(async () => {
    mock = await MockOpenAIServer.start();
    reply((r) => {
      if (isExtraction(r)) return { content: extractionReply(r, 0) };
      return { content: `# Heading of page ${pageOf(r)}\n\n- item one\n- item two` };
    });
    fx = await startDocumentsFixture({
      env: {
        DOCUMENTS_ALLOW_PRIVATE_URLS: 'true',
        DOCUMENTS_WEBHOOK_BACKOFF_MS: '200',
        DOCUMENTS_JOB_LOCK_MS: '2000',
        DOCUMENTS_PAGE_BACKOFF_MS: '100',
        DOCUMENTS_WORKER_CONCURRENCY: '2',
      },
      connection: { provider: 'openai', slug: 'openai', credentials: { api_key: 'sk-vision-test-key' }, base_url: mock.url },
    });
    ({ env, router, worker, url, tenant } = fx);
  });

  afterAll(async () => {
    // The crash test replaces the fixture's worker with a new one.
    await Promise.all([worker?.stop(), fx?.close(), mock?.close()]);
  });

  beforeEach(() => {
    mock.requests.length = 0;
    extractionReply = () => JSON.stringify(INVOICE);
  });

  it('sends each page to the model as a decodable, non-blank image of the right size, in page order', async () => {
    const pdf = await textPdf([['First page heading'], ['Second page heading']], { width: 432, height: 288 });
    const res = await postFile(`${url}/v1/documents/parse?wait=30`, tenant.projectKey, pdf, 'doc.pdf', {
      options: JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: 100 }),
    });
    expect(res.body.status).toBe('succeeded');
    expect(mock.requests).toHaveLength(2);
    for (const r of mock.requests) {
      expect(r.body.model).toBe('gpt-4o-mini');
      expect(r.images).toHaveLength(1);
      const img = r.images[0]!;
      expect(['image/png', 'image/jpeg']).toContain(img.mime);
      const meta = await sharp(img.data).metadata();
      expect(meta.format).toBe(img.mime === 'image/png' ? 'png' : 'jpeg');
      // 432x288 pt at 100 DPI.
      expect([meta.width, meta.height]).toEqual([600, 400]);
      const stats = await sharp(img.data).greyscale().stats();
      expect(stats.channels[0]!.min).toBeLessThan(80); // dark text present
      expect(stats.channels[0]!.mean).toBeGreaterThan(200); // mostly white page
    }
    expect(mock.requests.map(pageOf).sort()).toEqual([1, 2]);
    const md: string = res.body.result.markdown;
    expect(md.indexOf('# Heading of page 1')).toBeLessThan(md.indexOf('# Heading of page 2'));
    expect(res.body.result.pages.map((p: ParsedJson) => p.method)).toEqual(['ocr', 'ocr']);
    expect(res.body.usage).toMatchObject({ input_tokens: 200, output_tokens: 40 });
    // Each page is priced from the catalog entry of the model that answered (openai gpt-4o-mini).
    const price = new ModelCatalog().forUpstream('openai', 'gpt-4o-mini')!.pricing!;
    const pageCost = (100 * price.input_per_mtok + 20 * price.output_per_mtok) / 1e6;
    expect(pageCost).toBeGreaterThan(0);
    for (const p of res.body.result.pages) expect(p.usage.cost).toBeCloseTo(pageCost, 10);
    expect(res.body.usage.cost).toBeCloseTo(2 * pageCost, 10);
  });

  it('renders a page for a vision model no larger than DOCUMENTS_VISION_MAX_SIDE (1568), whatever the DPI', async () => {
    const pdf = await textPdf([['A page asked at 300 DPI']], { width: 432, height: 288 });
    const res = await postFile(`${url}/v1/documents/parse?wait=30`, tenant.projectKey, pdf, 'doc.pdf', {
      options: JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: 300 }),
    });
    expect(res.body.status).toBe('succeeded');
    const meta = await sharp(mock.requests[0]!.images[0]!.data).metadata();
    // 432x288 pt at 300 DPI would be 1800x1200: drawn at the scale that fits 1568 instead.
    expect([meta.width, meta.height]).toEqual([1568, 1046]);
  });

  it('auto mode uses the text layer where there is one and OCRs only the other pages', async () => {
    const pdf = await textPdf([['This page has a real text layer with more than enough characters to count'], []]);
    const res = await postFile(`${url}/v1/documents/parse?wait=30`, tenant.projectKey, pdf, 'mixed.pdf', {
      options: JSON.stringify({ mode: 'auto', model: 'openai/gpt-4o-mini' }),
    });
    expect(res.body.status).toBe('succeeded');
    expect(res.body.result.pages.map((p: ParsedJson) => p.method)).toEqual(['text', 'ocr']);
    // Each page says why: enough text and no image over the page, or no text layer.
    expect(res.body.result.pages.map((p: ParsedJson) => p.decision)).toEqual([
      { reason: 'text_layer', text_chars: expect.any(Number), image_coverage: 0 },
      { reason: 'no_text_layer', text_chars: 0 },
    ]);
    expect(mock.requests.map(pageOf)).toEqual([2]);
  });

  it('extracts valid JSON from an invoice PDF with a template, a schema, a stored template and a finished parse', async () => {
    const pdf = await invoicePdf();
    const res = await postFile(`${url}/v1/documents/extract?wait=30`, tenant.projectKey, pdf, 'invoice.pdf', {
      options: JSON.stringify({ model: 'openai/gpt-4o-mini', template: TEMPLATE }),
    });
    expect(res.body).toMatchObject({ type: 'extract', status: 'succeeded', result: { valid: true, data: INVOICE, attempts: 1 } });
    const call = mock.requests.find(isExtraction)!;
    expect(call.body.response_format.type).toBe('json_schema');
    expect(call.body.response_format.json_schema.schema.properties.items.type).toBe('array');
    expect(call.text).toContain('ACME Hardware Store'); // the Markdown of the parse went to the model

    const tpl = await httpJson(`${url}/v1/documents/templates`, { token: tenant.projectKey, body: { name: 'invoice', template: TEMPLATE } });
    expect(tpl.status).toBe(201);
    expect((await httpJson(`${url}/v1/documents/templates`, { token: tenant.projectKey })).body.data).toHaveLength(1);
    const parse = await postFile(`${url}/v1/documents/parse?wait=30`, tenant.projectKey, pdf, 'invoice.pdf', { mode: 'text' });
    const fromParse = await httpJson(`${url}/v1/documents/extract?wait=30`, {
      token: tenant.projectKey,
      body: { document_id: parse.body.id, template_id: tpl.body.id, model: 'openai/gpt-4o-mini' },
    });
    expect(fromParse.body).toMatchObject({ status: 'succeeded', result: { valid: true, data: INVOICE } });
    const schema = { type: 'object', properties: { store_name: { type: 'string' }, total_amount: { type: 'number' } }, required: ['store_name', 'total_amount'] };
    const withSchema = await httpJson(`${url}/v1/documents/extract?wait=30`, {
      token: tenant.projectKey,
      body: { document_id: parse.body.id, schema, model: 'openai/gpt-4o-mini' },
    });
    expect(withSchema.body).toMatchObject({ status: 'succeeded', result: { valid: true, data: { store_name: 'ACME Hardware Store', total_amount: 32.25 } } });

    const dynamiq = await postFile(`${url}/v1/ocr/extract`, tenant.projectKey, pdf, 'invoice.pdf', {
      options: JSON.stringify({ structured_output_llm: { model: 'openai/gpt-4o-mini' }, template: JSON.stringify(TEMPLATE) }),
    });
    expect(dynamiq.status).toBe(200);
    expect(dynamiq.body).toEqual({ data: INVOICE });
  });

  it("sets the Dynamiq llm objects' temperature, max_tokens and reasoning_effort (and model_params) on each model request", async () => {
    const blank = await textPdf([[], []]); // no text layer: every page goes to the OCR model
    const parse = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, blank, 'scan.pdf', {
      options: JSON.stringify({ llm: { provider: 'openai', model: 'gpt-4o-mini', temperature: 0.4, max_tokens: 900, reasoning_effort: null } }),
    });
    expect(parse.status).toBe(200);
    expect(parse.body.data.text).toContain('# Heading of page 2');
    expect(mock.requests).toHaveLength(2);
    for (const r of mock.requests) {
      expect(r.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.4, max_tokens: 900 });
      expect(r.body).not.toHaveProperty('reasoning_effort');
    }

    mock.requests.length = 0;
    const extract = await postFile(`${url}/v1/ocr/extract`, tenant.projectKey, await textPdf([[]]), 'receipt.pdf', {
      options: JSON.stringify({
        ocr_llm: { model: 'openai/gpt-4o-mini', temperature: 1.5 },
        structured_output_llm: { model: 'openai/gpt-4o-mini', max_tokens: 300, reasoning_effort: 'low' },
        template: JSON.stringify(TEMPLATE),
      }),
    });
    expect(extract.status).toBe(200);
    expect(extract.body).toEqual({ data: INVOICE });
    const ocr = mock.requests.filter((r) => !isExtraction(r));
    const extraction = mock.requests.filter(isExtraction);
    expect(ocr).toHaveLength(1);
    expect(ocr[0]!.body.temperature).toBe(1.5);
    expect(ocr[0]!.body).not.toHaveProperty('max_tokens');
    expect(extraction).toHaveLength(1);
    // Unset: the pipeline's temperature 0.
    expect(extraction[0]!.body).toMatchObject({ temperature: 0, max_tokens: 300, reasoning_effort: 'low' });

    // The same on the native routes: `model_params` goes with `model`, `ocr_model_params` with `ocr_model`.
    mock.requests.length = 0;
    const native = await postFile(`${url}/v1/documents/extract?wait=30`, tenant.projectKey, await textPdf([[]]), 'receipt.pdf', {
      options: JSON.stringify({
        ocr_model: 'openai/gpt-4o-mini',
        ocr_model_params: { max_tokens: 2000 },
        model: 'openai/gpt-4o-mini',
        model_params: { temperature: 0.7 },
        template: TEMPLATE,
      }),
    });
    expect(native.body).toMatchObject({ status: 'succeeded', result: { valid: true, data: INVOICE } });
    expect(mock.requests.find((r) => !isExtraction(r))!.body).toMatchObject({ temperature: 0, max_tokens: 2000 });
    expect(mock.requests.find(isExtraction)!.body).toMatchObject({ temperature: 0.7 });
    expect(mock.requests.find(isExtraction)!.body).not.toHaveProperty('max_tokens');
  });

  it('retries invalid model output with the validation errors, then reports it as invalid', async () => {
    extractionReply = () => JSON.stringify({ store_name: 42, total_amount: 'a lot' });
    const res = await postFile(`${url}/v1/documents/extract?wait=30`, tenant.projectKey, await invoicePdf(), 'invoice.pdf', {
      options: JSON.stringify({ model: 'openai/gpt-4o-mini', template: TEMPLATE, max_retries: 2 }),
    });
    expect(res.body.status).toBe('succeeded');
    expect(res.body.result).toMatchObject({ valid: false, attempts: 3, data: { store_name: 42 } });
    expect(res.body.result.errors.join(' ')).toMatch(/store_name/);
    const calls = mock.requests.filter(isExtraction);
    expect(calls).toHaveLength(3);
    expect(JSON.stringify(calls[1]!.body.messages)).toContain('does not conform to the schema');

    // Invalid first, valid second: repaired.
    mock.requests.length = 0;
    let n = 0;
    extractionReply = () => (n++ === 0 ? '{"store_name": "ACME"' : JSON.stringify(INVOICE));
    const repaired = await postFile(`${url}/v1/documents/extract?wait=30`, tenant.projectKey, await invoicePdf(), 'invoice.pdf', {
      options: JSON.stringify({ model: 'openai/gpt-4o-mini', template: TEMPLATE }),
    });
    expect(repaired.body.result).toMatchObject({ valid: true, attempts: 2, data: INVOICE });
  });

  it('signs webhooks with the project secret; a receiver failing twice gets three deliveries', async () => {
    const rotated = await httpJson(`${router.url}/v1/admin/organizations/${tenant.organizationId}/projects/default/webhook-secret`, {
      token: env.config.admin.token,
      body: {},
    });
    const secret: string = rotated.body.webhook_secret;
    await sleep(100);
    const received: { body: string; signature: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['x-gateway-signature']) });
        res.writeHead(received.length <= 2 ? 500 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    try {
      const res = await postFile(`${url}/v1/documents/parse?wait=30`, tenant.projectKey, await textPdf([['Webhook page']]), 'w.pdf', {
        options: JSON.stringify({ mode: 'text', webhook_url: hook }),
      });
      expect(res.body.status).toBe('succeeded');
      const deadline = Date.now() + 20_000;
      let deliveries: ParsedJson[] = [];
      while (Date.now() < deadline) {
        deliveries = (await httpJson(`${url}/v1/documents/jobs/${res.body.id}/deliveries`, { token: tenant.projectKey })).body.data;
        if (deliveries.some((d) => d.status_code === 200)) break;
        await sleep(200);
      }
      expect(deliveries.map((d) => d.status_code)).toEqual([500, 500, 200]);
      expect(deliveries.map((d) => d.attempt)).toEqual([1, 2, 3]);
      expect(received).toHaveLength(3);
      const last = received[2]!;
      expect(JSON.parse(last.body)).toEqual({
        id: res.body.id,
        type: 'parse',
        status: 'succeeded',
        result_url: `${env.config.documents.publicUrl}/v1/documents/jobs/${res.body.id}`,
      });
      // The documented recipe: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.
      const parts = Object.fromEntries(last.signature.split(',').map((kv) => kv.split('=')));
      const expected = createHmac('sha256', secret).update(`${parts['t']}.${last.body}`).digest();
      expect(timingSafeEqual(Buffer.from(parts['v1']!, 'hex'), expected)).toBe(true);
      expect(Math.abs(Date.now() / 1000 - Number(parts['t']))).toBeLessThan(60);
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
  });

  it('refuses a loopback webhook URL when private URLs are not allowed', async () => {
    const strict = await startDocuments(parseConfig({ ...env.env, DOCUMENTS_ALLOW_PRIVATE_URLS: 'false' }), 0);
    try {
      for (const hook of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]:9/hook', 'http://169.254.169.254/latest']) {
        const res = await postFile(`${await strict.getUrl()}/v1/documents/parse`, tenant.projectKey, await textPdf([['x']]), 'x.pdf', {
          options: JSON.stringify({ mode: 'text', webhook_url: hook }),
        });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'webhook_url_forbidden', param: 'webhook_url' });
      }
    } finally {
      await strict.close();
    }
  });

  it('cancels a running job: the model calls in flight are aborted (the model sees its connections closed)', async () => {
    reply((r) => (isExtraction(r) ? { content: '{}' } : { content: `page ${pageOf(r)}`, delayBeforeHeadersMs: 1500 }));
    try {
      const pdf = await textPdf([['a'], ['b'], ['c'], ['d'], ['e'], ['f']]);
      const res = await postFile(`${url}/v1/documents/parse`, tenant.projectKey, pdf, 'slow.pdf', {
        options: JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: 72 }),
      });
      for (const deadline = Date.now() + 10_000; mock.requests.length < 2 && Date.now() < deadline; ) await sleep(20);
      const inFlight = [...mock.requests];
      expect(inFlight).toHaveLength(2); // DOCUMENTS_WORKER_CONCURRENCY
      expect(inFlight.some((r) => r.aborted)).toBe(false);
      const canceledAt = Date.now();
      const canceled = await httpJson(`${url}/v1/documents/jobs/${res.body.id}`, { method: 'DELETE', token: tenant.projectKey });
      expect(canceled.status).toBe(200);
      expect(canceled.body.status).toBe('canceled');
      const again = await httpJson(`${url}/v1/documents/jobs/${res.body.id}`, { method: 'DELETE', token: tenant.projectKey });
      expect(again.status).toBe(409);
      // Aborted well before the mock's 1.5 s answer would have come.
      for (const deadline = canceledAt + 1000; !inFlight.every((r) => r.aborted) && Date.now() < deadline; ) await sleep(20);
      expect(inFlight.map((r) => r.aborted)).toEqual([true, true]);
      await sleep(3500);
      expect(mock.requests.length).toBeLessThan(6);
      expect(mock.requests.every((r) => r.aborted)).toBe(true);
      expect((await httpJson(`${url}/v1/documents/jobs/${res.body.id}`, { token: tenant.projectKey })).body.status).toBe('canceled');
    } finally {
      reply((r) => (isExtraction(r) ? { content: extractionReply(r, 0) } : { content: `# Heading of page ${pageOf(r)}` }));
    }
  });

  it('a killed worker loses nothing: a new worker finishes the job, each page transcribed once per attempt', async () => {
    reply((r) => ({ content: `Body of page ${pageOf(r)}`, delayBeforeHeadersMs: 700 }));
    const pdf = await textPdf(Array.from({ length: 8 }, (_, i) => [`p${i + 1}`]));
    const res = await postFile(`${url}/v1/documents/parse`, tenant.projectKey, pdf, 'crash.pdf', {
      options: JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: 72 }),
    });
    let doneBeforeKill = 0;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
      doneBeforeKill = (await httpJson(`${url}/v1/documents/jobs/${res.body.id}`, { token: tenant.projectKey })).body.progress.pages_done;
      if (doneBeforeKill >= 2) break;
    }
    await worker.kill();
    const callsAtKill = mock.requests.length;
    expect(doneBeforeKill).toBeLessThan(8);
    worker = await startWorkerProcess(env.env);
    const job = await waitForJob(url, tenant.projectKey, res.body.id, 60_000);
    expect(job.status).toBe('succeeded');
    expect(job.result.pages.map((p: ParsedJson) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const p of job.result.pages) expect(p.markdown).toBe(`Body of page ${p.page}`);
    const perPage = new Map<number, number>();
    for (const r of mock.requests) perPage.set(pageOf(r), (perPage.get(pageOf(r)) ?? 0) + 1);
    // Every page was transcribed; only pages in flight at the kill (at most the concurrency) were sent twice.
    expect([...perPage.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const repeated = [...perPage.values()].filter((n) => n > 1).length;
    expect(repeated).toBeLessThanOrEqual(callsAtKill - doneBeforeKill);
    expect(Math.max(...perPage.values())).toBeLessThanOrEqual(2);
    expect(job.result.pages.reduce((n: number, p: ParsedJson) => n + p.usage.input_tokens, 0)).toBe(800);
  });
});

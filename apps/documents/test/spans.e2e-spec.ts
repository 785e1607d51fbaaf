import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { documentTraceId, jobSpanId } from '@switchyard/documents';
import { freePort, httpJson, MockOpenAIServer, startServiceProcess, textPdf, type SeededTenant, type ServiceProcess, type TestEnvironment } from '@switchyard/testing';
import { startDocumentsFixture, type DocumentsFixture } from './documents-fixture';
import { postFile } from './helpers';

jest.setTimeout(120_000);

type StoredSpan = { span_id: string; parent_span_id: string | null; name: string; service: string; attributes: Record<string, unknown> };

/** The documents worker's spans: a job span, a span per page, and the gateway's request and attempt spans of each page's model call beneath it. */
describe('document job and page spans', () => {
  let fx: DocumentsFixture;
  let env: TestEnvironment, api: NestFastifyApplication, tenant: SeededTenant;
  let collector: ServiceProcess;
  let mock: MockOpenAIServer;
  const heartbeat = join(tmpdir(), `switchyard-worker-alive-${process.pid}`);

  beforeAll(async () => {
    mock = await MockOpenAIServer.start();
    mock.respond = () => ({ content: '# A page', usage: { prompt_tokens: 100, completion_tokens: 20 } });
    fx = await startDocumentsFixture({
      env: { OTEL_GATEWAY_SPANS: 'all', OTEL_EXPORT_INTERVAL_MS: '50', DOCUMENTS_JOB_LOCK_MS: '2000', DOCUMENTS_WORKER_HEARTBEAT_FILE: heartbeat },
      connection: { provider: 'openai', slug: 'openai', credentials: { api_key: 'sk-spans-test-key' }, base_url: mock.url },
    });
    ({ env, api, tenant } = fx);
    collector = await startServiceProcess('collector', env.env, await freePort());
  });

  afterAll(async () => {
    await Promise.all([collector?.stop(), mock?.close()]);
    await fx?.close();
    rmSync(heartbeat, { force: true });
  });

  it('the worker touches its heartbeat file once its queues are ready (what its Kubernetes probes read)', () => {
    expect(Date.now() - statSync(heartbeat).mtimeMs).toBeLessThan(60_000);
  });

  it('one trace per job (its id the job id): job span, page spans beneath it, each page its model call beneath', async () => {
    const pdf = await textPdf([['First page'], ['Second page']], { width: 432, height: 288 });
    const res = await postFile(`${await api.getUrl()}/v1/documents/parse?wait=30`, tenant.projectKey, pdf, 'doc.pdf', {
      options: JSON.stringify({ mode: 'ocr', model: 'openai/gpt-4o-mini', dpi: 72 }),
    });
    expect(res.body.status).toBe('succeeded');
    const traceId = documentTraceId(res.body.id);
    const deadline = Date.now() + 15_000;
    let spans: StoredSpan[] = [];
    // 1 job + 2 pages + 2 × (request + attempt)
    while (spans.length < 7 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const got = await httpJson<{ spans: StoredSpan[] }>(`${collector.url}/v1/traces/${traceId}`, { token: tenant.projectKey });
      if (got.status === 200) spans = got.body.spans;
    }
    expect(spans).toHaveLength(7);
    const job = spans[0]!;
    expect(job).toMatchObject({ span_id: jobSpanId(res.body.id), parent_span_id: null, name: 'document parse', service: 'switchyard-documents-worker' });
    expect(job.attributes).toMatchObject({ 'switchyard.document_job_id': res.body.id, 'switchyard.document_status': 'succeeded', 'switchyard.document_pages': 2 });
    const pages = spans.filter((s) => s.parent_span_id === job.span_id);
    expect(pages.map((p) => p.name).sort()).toEqual(['document page 1', 'document page 2']);
    for (const page of pages) {
      expect(page.attributes).toMatchObject({ 'switchyard.document_page_method': 'ocr', 'switchyard.attempt': 1 });
      const [request, ...more] = spans.filter((s) => s.parent_span_id === page.span_id);
      expect(more).toEqual([]);
      expect(request).toMatchObject({ name: 'chat openai/gpt-4o-mini', attributes: { 'switchyard.document_job_id': res.body.id, 'gen_ai.usage.input_tokens': 100 } });
      expect(spans.filter((s) => s.parent_span_id === request!.span_id).map((s) => s.name)).toEqual(['chat openai/gpt-4o-mini']);
    }
  });
});

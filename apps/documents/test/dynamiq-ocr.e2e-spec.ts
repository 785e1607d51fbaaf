import { encryptedPdf, httpJson, textPdf, type SeededTenant } from '@switchyard/testing';
import { startDocumentsFixture, type DocumentsFixture } from './documents-fixture';
import { postFile, THREE_PAGES as pages } from './helpers';

jest.setTimeout(120_000);

/** One parsed Server-Sent Event. */
interface SseEvent {
  event: string;
  data: unknown;
}

/** Multipart POST with plain fetch, read as Server-Sent Events (what a Dynamiq client with `stream: true` reads). */
async function postSse(url: string, token: string, file: Buffer, filename: string, options: object): Promise<{ status: number; contentType: string | null; events: SseEvent[] }> {
  const form = new FormData();
  form.append('options', JSON.stringify(options));
  form.append('file', new Blob([new Uint8Array(file)]), filename);
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))!.slice(7);
      const data = JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as unknown;
      return { event, data };
    });
  return { status: res.status, contentType: res.headers.get('content-type'), events };
}

/** Dynamiq's error envelope, field by field: `{"error":{"code","message","details"}}` and nothing else. */
function expectDynamiqError(body: unknown, code: string, details: Record<string, string>): void {
  const b = body as { error: { code: string; message: string; details: Record<string, string> } };
  expect(Object.keys(b)).toEqual(['error']);
  expect(Object.keys(b.error).sort()).toEqual(['code', 'details', 'message']);
  expect(b.error.code).toBe(code);
  expect(typeof b.error.message).toBe('string');
  expect(b.error.message.length).toBeGreaterThan(0);
  expect(b.error.details).toEqual(details);
}

describe('documents: the Dynamiq OCR routes on the wire (errors, SSE, text)', () => {
  let fx: DocumentsFixture;
  let url: string, tenant: SeededTenant;

  beforeAll(async () => {
    fx = await startDocumentsFixture();
    ({ url, tenant } = fx);
  });

  afterAll(() => fx?.close());

  it('returns the text without page markers unless options.page_markers asks for them', async () => {
    const pdf = await textPdf(pages);
    const plain = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'report.pdf', { options: JSON.stringify({}) });
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.body)).toEqual(['data']);
    expect(Object.keys(plain.body.data)).toEqual(['text']);
    const text: string = plain.body.data.text;
    expect(text).not.toContain('<!--');
    expect(text.indexOf('Alpha report')).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('Alpha report')).toBeLessThan(text.indexOf('Beta section'));
    expect(text.indexOf('Beta section')).toBeLessThan(text.indexOf('Gamma closing'));

    const marked = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'report.pdf', { options: JSON.stringify({ page_markers: true }) });
    expect(marked.status).toBe(200);
    const withMarkers: string = marked.body.data.text;
    expect(withMarkers.indexOf('<!-- page 1 -->')).toBe(0);
    expect(withMarkers).toContain('<!-- page 3 -->');
    expect(withMarkers.replace(/<!-- page \d+ -->\n\n/g, '')).toBe(text);
  });

  it('answers every error in the Dynamiq envelope: missing file, auth, bad options, unsupported llm fields, bad files', async () => {
    const noFile = new FormData();
    noFile.append('options', JSON.stringify({}));
    const blank = await httpJson(`${url}/v1/ocr/parse`, { token: tenant.projectKey, body: noFile });
    expect(blank.status).toBe(400);
    expectDynamiqError(blank.body, 'bad_request', { file: 'cannot be blank', reason: 'invalid_request' });

    const pdf = await textPdf([['Hello']]);
    const anonymous = await postFile(`${url}/v1/ocr/parse`, '', pdf, 'a.pdf');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthorized');
    expectDynamiqError(anonymous.body, 'unauthorized', { reason: anonymous.body.error.details.reason });
    const wrongKey = await postFile(`${url}/v1/ocr/extract`, 'sk-not-a-key', pdf, 'a.pdf');
    expect(wrongKey.status).toBe(401);
    expectDynamiqError(wrongKey.body, 'unauthorized', { reason: wrongKey.body.error.details.reason });

    const notJson = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'a.pdf', { options: '{not json' });
    expect(notJson.status).toBe(400);
    expectDynamiqError(notJson.body, 'bad_request', { options: 'options must be a JSON object string.', reason: 'invalid_request' });

    const connection = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'a.pdf', {
      options: JSON.stringify({ llm: { provider: 'openai', model: 'gpt-4o-mini', connection_id: 'c0ffee', temperature: 0.2 } }),
    });
    expect(connection.status).toBe(400);
    expect(connection.body.error.code).toBe('bad_request');
    expect(Object.keys(connection.body.error.details)).toEqual(['options.llm.connection_id', 'reason']);
    expect(connection.body.error.details['options.llm.connection_id']).toMatch(/connection_id is not supported/);

    // temperature, max_tokens and reasoning_effort are honoured (vision.e2e-spec.ts), in the router's ranges.
    const badParams: [object, string][] = [
      [{ llm: { model: 'openai/gpt-4o-mini', temperature: 2.5 } }, 'options.llm.temperature'],
      [{ llm: { model: 'openai/gpt-4o-mini', temperature: '0.5' } }, 'options.llm.temperature'],
      [{ llm: { model: 'openai/gpt-4o-mini', max_tokens: 1.5 } }, 'options.llm.max_tokens'],
      [{ llm: { model: 'openai/gpt-4o-mini', reasoning_effort: 'extreme' } }, 'options.llm.reasoning_effort'],
      [{ ocr_llm: { model: 'openai/gpt-4o-mini', max_tokens: 0 }, template: '{"a":"string"}' }, 'options.ocr_llm.max_tokens'],
      [{ structured_output_llm: { model: 'openai/gpt-4o-mini', temperature: -1 }, template: '{"a":"string"}' }, 'options.structured_output_llm.temperature'],
    ];
    for (const [options, field] of badParams) {
      const route = 'template' in options ? 'extract' : 'parse';
      const res = await postFile(`${url}/v1/ocr/${route}`, tenant.projectKey, pdf, 'a.pdf', { options: JSON.stringify(options) });
      expect({ field, status: res.status, code: res.body.error.code, details: Object.keys(res.body.error.details) }).toEqual({
        field,
        status: 400,
        code: 'bad_request',
        details: [field, 'reason'],
      });
    }
    // The default OCR model here is local tesseract, which has no sampling or token budget to set.
    const local = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'a.pdf', { options: JSON.stringify({ llm: { temperature: 0.3 } }) });
    expect(local.status).toBe(400);
    expectDynamiqError(local.body, 'bad_request', { 'options.llm.temperature': local.body.error.message, reason: 'invalid_request' });
    expect(local.body.error.message).toMatch(/temperature does not apply to local-ocr\/tesseract/);
    const nativeLocal = await postFile(`${url}/v1/documents/parse`, tenant.projectKey, pdf, 'a.pdf', {
      options: JSON.stringify({ model: 'local-ocr/tesseract', model_params: { max_tokens: 100 } }),
    });
    expect(nativeLocal.status).toBe(400);
    expect(nativeLocal.body.error.param).toBe('model_params.max_tokens');

    const unknown = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'a.pdf', { options: JSON.stringify({ pages: '1' }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('bad_request');
    expect(Object.keys(unknown.body.error.details)).toEqual(['options.pages', 'reason']);

    const noTemplate = await postFile(`${url}/v1/ocr/extract`, tenant.projectKey, pdf, 'a.pdf', { options: JSON.stringify({}) });
    expect(noTemplate.status).toBe(400);
    expect(Object.keys(noTemplate.body.error.details)).toEqual(['options.template', 'reason']);

    const locked = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, await encryptedPdf(), 'locked.pdf');
    expect(locked.status).toBe(422);
    expectDynamiqError(locked.body, 'bad_request', { file: locked.body.error.message, reason: 'encrypted_pdf' });
    expect(locked.body.error.message).toMatch(/encrypted/i);
  });

  it('streams per-page progress and then the result as Server-Sent Events with options.stream', async () => {
    const pdf = await textPdf(pages);
    const plain = await postFile(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'report.pdf', { options: JSON.stringify({}) });
    const res = await postSse(`${url}/v1/ocr/parse`, tenant.projectKey, pdf, 'report.pdf', { stream: true });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/^text\/event-stream/);
    const progress = res.events.filter((e) => e.event === 'progress').map((e) => e.data as { status: string; pages_done: number; pages_total: number | null });
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(Object.keys(p)).toEqual(['status', 'pages_done', 'pages_total']);
    const done = progress.map((p) => p.pages_done);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ status: 'succeeded', pages_done: 3, pages_total: 3 });
    const last = res.events.at(-1)!;
    expect(last.event).toBe('result');
    expect(last.data).toEqual(plain.body);
    expect(res.events.filter((e) => e.event === 'result')).toHaveLength(1);
  });

  it('ends a stream whose document fails with one error event in the Dynamiq envelope', async () => {
    const res = await postSse(`${url}/v1/ocr/parse`, tenant.projectKey, await encryptedPdf(), 'locked.pdf', { stream: true });
    expect(res.status).toBe(200);
    const last = res.events.at(-1)!;
    expect(last.event).toBe('error');
    expectDynamiqError(last.data, 'bad_request', { file: (last.data as { error: { message: string } }).error.message, reason: 'encrypted_pdf' });
    expect(res.events.filter((e) => e.event === 'result')).toHaveLength(0);
  });
});

import type { ProjectSnapshot } from '@switchyard/auth';
import { ChatCallError } from '@switchyard/documents';
import type { RequestLogRecord } from '@switchyard/metering';
import { RequestLogger, type CompletionResult, type GatewayClient } from '@switchyard/routing';
import { DEFAULT_PROJECT_SETTINGS, GatewayError, type ChatCompletion, type ChatRequest } from '@switchyard/types';
import { GatewayChatCaller } from './gateway-chat-caller';

const ctx = { organizationId: 'o', projectId: 'p', keyId: null };
const project: ProjectSnapshot = { id: 'p', organizationId: 'o', slug: 'default', name: 'Default', retentionDays: 30, settings: DEFAULT_PROJECT_SETTINGS, spendRules: [], quotas: null };
const completion: ChatCompletion = {
  id: 'c',
  object: 'chat.completion',
  created: 0,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'x' }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 },
};
const meta = { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c1', step: 0, attempts: 1, firstByteMs: 1 };
const tokens = { input: 1000, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 200 };

const logged: RequestLogRecord[] = [];
const logger = new RequestLogger({ append: (r) => logged.push(r) }, 1 << 20);

function caller(cost: number | null, calls: unknown[][] = [], lookups: string[] = []) {
  const result: CompletionResult = { kind: 'completion', completion, meta, usage: { provider: 'openai', model: 'gpt-4o-mini', tokens, cost } };
  const gateway: Pick<GatewayClient, 'execute'> = { execute: async (...args) => (calls.push(args), result) };
  const directory = { projectById: async (org: string, id: string) => (lookups.push(`${org}/${id}`), project) };
  return new GatewayChatCaller(gateway, directory, logger);
}

describe('GatewayChatCaller', () => {
  it('resolves the project once, parses the body once and calls the pipeline without a stream', async () => {
    const calls: unknown[][] = [];
    const lookups: string[] = [];
    await caller(0.00027, calls, lookups).chat(ctx, { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true, fallback_models: ['gpt-4o'] });
    expect(lookups).toEqual(['o/p']);
    const [call, p, request, controls] = calls[0]!;
    expect(call).toBe(ctx);
    expect(p).toBe(project);
    expect(request).toEqual({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: false });
    expect(controls).toMatchObject({ fallbackModels: ['gpt-4o'], dropUnsupported: false });
  });

  it('fills usage.cost with the pipeline’s price of the call; leaves it out for a model without a price', async () => {
    const body: ChatRequest = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
    expect((await caller(0.00027).chat(ctx, body)).usage?.cost).toBeCloseTo(0.00027, 12);
    expect((await caller(null).chat(ctx, body)).usage?.cost).toBeUndefined();
  });

  it('records each call once, tagged with the document job, failures included', async () => {
    logged.length = 0;
    const body: ChatRequest = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] };
    await caller(0.00027).chat({ ...ctx, documentJobId: 'job-1' }, body);
    expect(logged).toEqual([
      expect.objectContaining({ documentJobId: 'job-1', projectId: 'p', modelRequested: 'openai/gpt-4o-mini', model: 'gpt-4o-mini', statusCode: 200, cost: 0.00027, tokens }),
    ]);
    expect(logged[0]!.bodies?.response).toBe(JSON.stringify(completion));
    const failing = new GatewayChatCaller({ execute: async () => Promise.reject(new GatewayError(503, 'api_error', 'provider_unavailable', 'failed')) }, { projectById: async () => project }, logger);
    await expect(failing.chat({ ...ctx, documentJobId: 'job-2' }, body)).rejects.toBeInstanceOf(ChatCallError);
    expect(logged[1]).toMatchObject({ documentJobId: 'job-2', statusCode: 503, success: false, errorCode: 'provider_unavailable', model: null });
  });

  it('logs the request with each inline image as a placeholder of its type and size; the model gets the image', async () => {
    logged.length = 0;
    const calls: unknown[][] = [];
    const url = `data:image/jpeg;base64,${Buffer.alloc(150_000, 7).toString('base64')}`;
    const body: ChatRequest = {
      model: 'openai/gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Transcribe.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Transcribe page 3 to Markdown.' },
            { type: 'image_url', image_url: { url, detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
      ],
    };
    await caller(0.00027, calls).chat({ ...ctx, documentJobId: 'job-3' }, body);
    expect((calls[0]![2] as ChatRequest).messages).toEqual(body.messages);
    const recorded = JSON.parse(logged[0]!.bodies!.request!) as ChatRequest;
    expect(recorded.messages[0]).toEqual(body.messages[0]);
    expect(recorded.messages[1]!.content).toEqual([
      { type: 'text', text: 'Transcribe page 3 to Markdown.' },
      { type: 'image_url', image_url: { url: '[image/jpeg, 195 KB base64 data URL: not logged]', detail: 'high' } },
      { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
    ]);
    expect(logged[0]!.bodies!.requestBytes).toBeLessThan(1000);
  });

  it('turns gateway errors into ChatCallErrors, retryable for 429 and 5xx', async () => {
    const failing = (status: number) =>
      new GatewayChatCaller({ execute: async () => Promise.reject(new GatewayError(status, 'api_error', 'x', 'failed')) }, { projectById: async () => project }, logger);
    const body: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    await expect(failing(503).chat(ctx, body)).rejects.toMatchObject({ status: 503, retryable: true });
    await expect(failing(400).chat(ctx, body)).rejects.toBeInstanceOf(ChatCallError);
    await expect(failing(400).chat(ctx, body)).rejects.toMatchObject({ retryable: false });
  });
});

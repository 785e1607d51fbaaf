import type { ChatCompletionChunk, ChatRequest } from '@switchyard/types';
import type { ExecutionMeta, StreamResult } from '../executor';
import { tailOf } from '../stream-batches';
import { enabledPolicies, mergeResults, type DlpPolicy } from './dlp-policy';
import { builtInDetector, checkRequest, checkResponse, DlpBlockedError, redactStrings } from './dlp-stage';

const policy = (action: DlpPolicy['action'], check: DlpPolicy['check'], profiles: string[], id = `p-${action.toLowerCase()}`): DlpPolicy => ({ id, action, check, profiles });
const request = (): ChatRequest => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'Mail jane@example.com, card 4111 1111 1111 1111' }, { type: 'image_url', image_url: { url: 'https://x/jane@example.com.png' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'lookup', arguments: '{"email":"bob@example.org"}' } }] },
  ],
});
const meta: ExecutionMeta = { provider: 'openai', model: 'gpt-4o-mini', connectionId: 'c', step: 0, attempts: 1, firstByteMs: 1 };
const chunk = (content: string, finish: 'stop' | null = null): ChatCompletionChunk => ({
  id: 'x',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta: { content }, finish_reason: finish }],
});
const stream = (batches: ChatCompletionChunk[][]): StreamResult => ({ kind: 'stream', meta, head: batches[0]!, tail: tailOf(batches.slice(1)), usage: null });

describe('DLP on requests', () => {
  it('FLAG reports the findings (Cloudflare shape, no matched text) and leaves the request as sent', () => {
    const req = request();
    const { request: sent, dlp } = checkRequest([policy('FLAG', ['REQUEST'], ['email', 'credit_card'])], req, builtInDetector);
    expect(sent).toBe(req);
    expect(dlp).toEqual({
      action: 'FLAG',
      findings: [
        { profile: { context: null, entry_ids: ['email'], profile_id: 'email' }, policy_ids: ['p-flag'], check: 'REQUEST' },
        { profile: { context: null, entry_ids: ['credit_card'], profile_id: 'credit_card' }, policy_ids: ['p-flag'], check: 'REQUEST' },
      ],
    });
    expect(JSON.stringify(dlp)).not.toContain('jane@');
  });

  it('BLOCK throws 2029 with the x-gateway-dlp header', () => {
    let err: unknown;
    try {
      checkRequest([policy('FLAG', ['REQUEST'], ['email']), policy('BLOCK', ['REQUEST'], ['credit_card'])], request(), builtInDetector);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DlpBlockedError);
    const blocked = err as DlpBlockedError;
    expect(blocked.status).toBe(400);
    expect(blocked.code).toBe('2029');
    expect(blocked.dlp.action).toBe('BLOCK');
    expect(JSON.parse(blocked.headers['x-gateway-dlp']!)).toEqual(blocked.dlp);
    expect(blocked.headers['cf-aig-dlp']).toBe(blocked.headers['x-gateway-dlp']);
  });

  it('REDACT replaces matches in text parts and tool-call arguments of a copy; images untouched; the original intact', () => {
    const req = request();
    const { request: sent, dlp } = checkRequest([policy('REDACT', ['REQUEST'], ['email', 'credit_card'])], req, builtInDetector);
    expect(dlp?.action).toBe('REDACT');
    expect(sent.messages[1]!.content).toEqual([
      { type: 'text', text: 'Mail [EMAIL], card [CREDIT_CARD]' },
      { type: 'image_url', image_url: { url: 'https://x/jane@example.com.png' } },
    ]);
    expect(sent.messages[2]!.tool_calls![0]!.function.arguments).toBe('{"email":"[EMAIL]"}');
    expect(JSON.stringify(req)).toContain('jane@example.com, card 4111');
  });

  it('a RESPONSE-only policy, a disabled policy or no match leave the request alone', () => {
    expect(checkRequest([policy('BLOCK', ['RESPONSE'], ['email'])], request(), builtInDetector).dlp).toBeNull();
    expect(checkRequest([policy('BLOCK', ['REQUEST'], ['us_ssn'])], request(), builtInDetector).dlp).toBeNull();
    expect(enabledPolicies({ enabled: true, policies: [{ id: 'x', enabled: false, action: 'BLOCK', check: ['REQUEST'], profiles: ['email'] }] })).toEqual([]);
    expect(enabledPolicies({ enabled: false, action: 'BLOCK', profiles: ['email'] })).toEqual([]);
  });

  it('reads the legacy shape as one policy over both directions', () => {
    expect(enabledPolicies({ enabled: true, action: 'BLOCK', profiles: ['email'] })).toEqual([{ id: 'default', action: 'BLOCK', check: ['REQUEST', 'RESPONSE'], profiles: ['email'] }]);
  });
});

describe('redactStrings (the logged copy of a redacted request)', () => {
  it('replaces the REDACT matches in every string of any shape, and leaves the original and FLAG-only matches alone', () => {
    const body = { model: 'm', system: 'ops@example.com', messages: [{ role: 'user', content: [{ type: 'text', text: 'I am jane@example.com' }] }], tags: ['x 10.0.0.1'], n: 1 };
    const copy = redactStrings(body, [policy('REDACT', ['REQUEST'], ['email']), policy('FLAG', ['REQUEST'], ['ip_address'])], builtInDetector);
    expect(copy).toEqual({ model: 'm', system: '[EMAIL]', messages: [{ role: 'user', content: [{ type: 'text', text: 'I am [EMAIL]' }] }], tags: ['x 10.0.0.1'], n: 1 });
    expect(body.system).toBe('ops@example.com');
    expect(redactStrings('mail jane@example.com', [policy('REDACT', ['REQUEST'], ['email'])], builtInDetector)).toBe('mail [EMAIL]');
  });
});

describe('DLP on responses', () => {
  it('buffers a stream, scans the assembled text across chunks, and replays it in its original batches (FLAG)', async () => {
    const batches = [[chunk('Reach me at jane@exa')], [chunk('mple.com'), chunk(' thanks')], [chunk('', 'stop')]];
    const result = stream(batches);
    const dlp = await checkResponse([policy('FLAG', ['RESPONSE'], ['email'])], result, builtInDetector);
    expect(dlp?.findings[0]).toMatchObject({ check: 'RESPONSE', profile: { profile_id: 'email' } });
    const replayed = [result.head];
    for await (const b of result.tail) replayed.push(b);
    expect(replayed).toEqual(batches);
  });

  it('BLOCK throws 2030', async () => {
    const result = stream([[chunk('my ssn is 123-45-6789', 'stop')]]);
    await expect(checkResponse([policy('BLOCK', ['RESPONSE'], ['us_ssn'])], result, builtInDetector)).rejects.toMatchObject({ status: 400, code: '2030' });
  });

  it('scans a completion without touching it; no RESPONSE policy reads nothing', async () => {
    const completion = { id: 'x', object: 'chat.completion' as const, created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant' as const, content: 'ip 10.0.0.1' }, finish_reason: 'stop' as const }] };
    const dlp = await checkResponse([policy('FLAG', ['RESPONSE'], ['ip_address'])], { kind: 'completion', completion, meta, usage: null }, builtInDetector);
    expect(dlp?.action).toBe('FLAG');
    const untouched = stream([[chunk('a')], [chunk('b', 'stop')]]);
    const tail = untouched.tail;
    expect(await checkResponse([policy('BLOCK', ['REQUEST'], ['email'])], untouched, builtInDetector)).toBeNull();
    expect(untouched.tail).toBe(tail);
  });

  it('merges both directions, the strongest action winning', () => {
    const flag = { action: 'FLAG' as const, findings: [] };
    const redact = { action: 'REDACT' as const, findings: [] };
    expect(mergeResults(redact, flag)?.action).toBe('REDACT');
    expect(mergeResults(null, flag)).toBe(flag);
  });
});

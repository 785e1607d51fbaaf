// The request log records the log benchmarks write: as the router writes them, with 2 KB of bodies.
import { randomUUID } from 'node:crypto';

const BODY = 'x'.repeat(1000);

const WORDS = ('the of and to in is you that it he was for on are as with his they at be this have from or one had by word but not what '
  + 'all were we when your can said there use an each which she do how their if will up other about out many then them these so some her '
  + 'would make like him into time has look two more write go see number no way could people my than first water been call who oil its now '
  + 'find long down day did get come made may part refund order invoice account shipping customer support model token answer').split(' ');

/** About `chars` characters of English-like text (a word list drawn by a seeded generator): compresses like prose, unlike 'x' * n. */
function prose(seed, chars) {
  let s = seed >>> 0 || 1;
  const out = [];
  let len = 0;
  while (len < chars) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    const w = WORDS[(s >>> 0) % WORDS.length];
    out.push(w);
    len += w.length + 1;
  }
  return out.join(' ').slice(0, chars);
}

/** A chat completion request and its answer as the router logs them (JSON text, about 1 KB each, English-like content). */
const chatBodies = (i) => [
  JSON.stringify({
    model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'You are a helpful support assistant.' }, { role: 'user', content: prose(i * 2 + 1, 860) }],
    temperature: 0.2, max_tokens: 512, user: `c${i % 100}`,
  }),
  JSON.stringify({
    id: `chatcmpl-${i}`, object: 'chat.completion', created: 1765000000, model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message: { role: 'assistant', content: prose(i * 2 + 2, 740), refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 42, total_tokens: 162 }, system_fingerprint: 'fp_0',
  }),
];

/**
 * One record (RequestLogRecord of @switchyard/metering) with 2 KB of bodies (1 KB request, 1 KB response): `x` (default)
 * `{"content":"<1,000 x's>"}` each (compress to almost nothing), `text` the same with 1,000 characters of English-like
 * words (compress about 2:1), `chat` a chat completion request and response (JSON with its quotes, English-like content).
 */
export const logRecord = (ids, i, bodies = 'x') => {
  const [req, res] = bodies === 'chat' ? chatBodies(i) : (bodies === 'text' ? [prose(i * 2 + 1, 1000), prose(i * 2 + 2, 1000)] : [BODY, BODY]).map((t) => `{"content":"${t}"}`);
  return {
    id: randomUUID(), requestId: `req-${i}`, eventId: null, createdAt: new Date().toISOString(),
    organizationId: ids.org, projectId: ids.project, keyId: ids.key, customerIdentifier: `c${i % 100}`, threadIdentifier: null, customIdentifier: null,
    documentJobId: null, path: '/v1/chat/completions', requestType: 'chat.completions', modelRequested: 'gpt-4o-mini', model: i % 3 ? 'gpt-4o-mini' : 'gpt-4o',
    provider: 'openai', connectionId: 'bench', statusCode: 200, success: true, cached: false, step: 0,
    attempts: [{ step: 0, provider: 'openai', model: 'gpt-4o-mini', connectionId: 'bench', status: 200, durationMs: 120, errorCode: null }],
    tokens: { input: 120, cacheRead: 0, cacheWrite: 0, reasoning: 0, output: 42 }, cost: 0.00004, customCost: false, durationMs: 100 + (i % 400), ttfbMs: 50 + (i % 100),
    stream: false, metadata: { team: `t${i % 5}` }, routing: null, errorCode: null, dlp: null,
    bodies: { request: req, response: res, requestContentType: 'application/json', responseContentType: 'application/json', requestBytes: Buffer.byteLength(req), responseBytes: Buffer.byteLength(res), truncated: false },
  };
};

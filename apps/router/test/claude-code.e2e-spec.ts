import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { logStreamKeys, type RequestLogRecord } from '@switchyard/metering';
import { AnthropicMockServer, createTestEnvironment, httpJson, MockOpenAIServer, seedTenant, type MockScenario, type ParsedJson, type RecordedProviderRequest, type RecordedRequest, type MockScript, type SeededTenant, type TestEnvironment } from '@switchyard/testing';
import { Redis } from 'ioredis';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startRouter } from '../src/bootstrap';

/** Claude Code's native binary (its npm package's platform build; the install script that links `claude` did not run). */
const CLAUDE = join(dirname(require.resolve('@anthropic-ai/claude-code-linux-x64/package.json')), 'claude');
const NOTE = 'The launch code is PELICAN-7731.';
const PROMPT = 'Read the file note.txt and tell me what it says.';

interface ClaudeResult {
  type: string;
  subtype: string;
  is_error: boolean;
  result: string;
  num_turns: number;
}

/** The last tool_result text of a Messages body (what Claude Code sends back after running a tool), if any. */
function toolResultOf(body: ParsedJson): string | null {
  const last = body?.messages?.at(-1);
  const block = Array.isArray(last?.content) ? last.content.find((b: ParsedJson) => b?.type === 'tool_result') : undefined;
  if (!block) return null;
  return typeof block.content === 'string' ? block.content : (block.content ?? []).map((b: ParsedJson) => b.text ?? '').join('');
}

/** The last tool message of a chat body (the translated tool_result), if any. */
function toolMessageOf(body: ParsedJson): string | null {
  const last = body?.messages?.at(-1);
  if (last?.role !== 'tool') return null;
  return typeof last.content === 'string' ? last.content : last.content.map((p: ParsedJson) => p.text ?? '').join('');
}

/**
 * Claude Code (the real CLI, non-interactive) pointed at the router with `ANTHROPIC_BASE_URL` and
 * `ANTHROPIC_AUTH_TOKEN`: its agent loop (a Read tool call, the tool result sent back, the final answer) runs
 * through `/v1/messages`, passed through to Anthropic and translated to OpenAI. The mocks script the model: the
 * first call of a conversation asks to Read note.txt, the call carrying the tool result quotes it; any other call
 * Claude Code makes (titles, quota checks) is answered with a short text.
 */
describe('Claude Code against the router', () => {
  let env: TestEnvironment;
  let router: NestFastifyApplication;
  let url: string;
  let openai: MockOpenAIServer;
  const anthropic = new AnthropicMockServer();
  let tenant: SeededTenant;
  let redis: Redis;
  let work: string;
  let home: string;

  /** Runs `claude -p` in the work directory with a fresh HOME; resolves with its JSON result (and its output on failure). */
  const runClaude = (model: string) =>
    new Promise<{ result: ClaudeResult; stderr: string }>((resolve, reject) => {
      const env = {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: home,
        ANTHROPIC_BASE_URL: url,
        ANTHROPIC_AUTH_TOKEN: tenant.projectKey,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_ERROR_REPORTING: '1',
        // The small model Claude Code uses for side tasks: the same one here.
        ANTHROPIC_DEFAULT_HAIKU_MODEL: model,
      };
      const args = ['-p', PROMPT, '--output-format', 'json', '--allowedTools', 'Read', '--model', model];
      const child = execFile(CLAUDE, args, { cwd: work, env, timeout: 120_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
        try {
          resolve({ result: JSON.parse(stdout) as ClaudeResult, stderr });
        } catch {
          reject(new Error(`claude exited (${err?.message ?? 'no error'}):\nstdout: ${stdout}\nstderr: ${stderr}`));
        }
      });
      child.stdin?.end();
    });

  const records = async (): Promise<RequestLogRecord[]> => {
    const entries = await redis.xrange(logStreamKeys(env.config.redis.prefix).stream, '-', '+');
    return entries.flatMap(([, f]) => JSON.parse(f[1]!) as RequestLogRecord[]);
  };

  /** Waits for the record of every answered model call (appended just before each answer's last write). */
  const recordsOf = async (count: number, match: (r: RequestLogRecord) => boolean): Promise<RequestLogRecord[]> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = (await records()).filter(match);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    env = await createTestEnvironment();
    router = await startRouter(env.config, 0);
    url = await router.getUrl();
    openai = await MockOpenAIServer.start();
    await anthropic.start();
    tenant = await seedTenant(url, env.config.admin.token, { provider: 'anthropic', slug: 'claude', credentials: { api_key: anthropic.apiKey }, base_url: anthropic.url });
    const conn = await httpJson(`${url}/v1/admin/connections`, {
      token: env.config.admin.token,
      body: { organization_id: tenant.organizationId, provider: 'openai', name: 'openai', slug: 'openai', credentials: { api_key: 'sk-openai-0123456789' }, base_url: openai.url },
    });
    expect(conn.status).toBe(201);
    redis = new Redis(env.config.redis.url);
    work = await mkdtemp(join(tmpdir(), 'sy-claude-work-'));
    await writeFile(join(work, 'note.txt'), `${NOTE}\n`);
  });

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'sy-claude-home-'));
  });

  afterEach(async () => {
    anthropic.reset();
    openai.reset();
    await rm(home, { recursive: true, force: true });
  });

  afterAll(async () => {
    await router?.close();
    await Promise.all([anthropic.stop(), openai?.close(), redis?.quit()]);
    await env?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('Anthropic-backed (pass-through): the Read tool round trip goes through /v1/messages and Claude Code quotes the file', async () => {
    anthropic.responder = (req: RecordedProviderRequest): MockScenario => {
      const result = toolResultOf(req.body);
      if (result !== null) return { reply: { kind: 'text', text: `The file says: ${result.includes(NOTE) ? NOTE : 'something else'}` } };
      const readsTool = (req.body?.tools ?? []).some((t: ParsedJson) => t.name === 'Read');
      // With thinking on (Claude Code enables it for Claude 4), a signed thinking block leads the tool call; the mock
      // checks that Claude Code sends it back unchanged with the tool result.
      if (readsTool) return { reply: { kind: 'tool_calls', reasoning: 'The user wants note.txt: read it.', calls: [{ id: 'toolu_read_1', name: 'Read', arguments: JSON.stringify({ file_path: join(work, 'note.txt') }) }] } };
      return { reply: { kind: 'text', text: 'Note reading' } };
    };
    const { result } = await runClaude('claude-sonnet-4-20250514');
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 2 });
    expect(result.result).toContain(NOTE);

    // Both agent turns reached Anthropic through the router, the second carrying the file as Claude Code read it.
    const turns = anthropic.requests.filter((r) => (r.body?.tools ?? []).some((t: ParsedJson) => t.name === 'Read'));
    expect(turns).toHaveLength(2);
    expect(toolResultOf(turns[0]!.body)).toBeNull();
    expect(toolResultOf(turns[1]!.body)).toContain(NOTE);
    // The signed thinking came back with the tool call (the mock checks the signature).
    expect(turns[1]!.body.messages.find((m: ParsedJson) => m.role === 'assistant').content.map((b: ParsedJson) => b.type)).toEqual(['thinking', 'tool_use']);
    expect(turns[1]!.headers['x-api-key']).toBe(anthropic.apiKey);
    expect(String(turns[1]!.headers['anthropic-beta'])).toContain('claude-code-');

    const logged = await recordsOf(anthropic.requests.length, (r) => r.path === '/v1/messages');
    expect(logged).toHaveLength(anthropic.requests.length);
    for (const r of logged) expect(r).toMatchObject({ requestType: 'messages', provider: 'anthropic', statusCode: 200, success: true });
    const withResult = logged.filter((r) => r.bodies?.request?.includes('toolu_read_1') && r.bodies.request.includes('tool_result'));
    expect(withResult).toHaveLength(1);
    expect(withResult[0]!.bodies!.request).toContain('PELICAN-7731');
    // The passed-through streams recorded as the Messages they assembled to: the tool call, then the answer.
    const answers = logged.map((r) => JSON.parse(r.bodies!.response!) as { content: ParsedJson[] });
    expect(answers.some((m) => m.content.some((b) => b.type === 'tool_use' && b.name === 'Read' && b.input.file_path === join(work, 'note.txt')))).toBe(true);
    expect(JSON.parse(withResult[0]!.bodies!.response!).content).toEqual([{ type: 'text', text: `The file says: ${NOTE}` }]);
  }, 180_000);

  it('OpenAI-backed (translated): `--model openai/gpt-4o-mini`, the tool call and its result translated both ways', async () => {
    const readCall = JSON.stringify({ file_path: join(work, 'note.txt') });
    openai.respond = (req: RecordedRequest): MockScript => {
      const result = toolMessageOf(req.body);
      if (result !== null) return { content: ['The file says: ', result.includes(NOTE) ? NOTE : 'something else'], usage: { prompt_tokens: 900, completion_tokens: 12 } };
      const readsTool = (req.body?.tools ?? []).some((t: ParsedJson) => t.function?.name === 'Read');
      if (readsTool) return { toolCalls: [{ id: 'call_read_1', name: 'Read', arguments: [readCall.slice(0, 10), readCall.slice(10)] }], usage: { prompt_tokens: 800, completion_tokens: 20 } };
      return { content: 'Note reading', usage: { prompt_tokens: 30, completion_tokens: 2 } };
    };
    const { result } = await runClaude('openai/gpt-4o-mini');
    expect(result).toMatchObject({ type: 'result', subtype: 'success', is_error: false, num_turns: 2 });
    expect(result.result).toContain(NOTE);
    expect(anthropic.requests).toHaveLength(0);

    const turns = openai.requests.filter((r) => (r.body?.tools ?? []).some((t: ParsedJson) => t.function?.name === 'Read'));
    expect(turns).toHaveLength(2);
    expect(turns[0]!.path).toBe('/v1/chat/completions');
    // The assistant's tool call and Claude Code's tool_result as chat messages.
    const messages = turns[1]!.body.messages as ParsedJson[];
    expect(messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: 'call_read_1', function: { name: 'Read', arguments: readCall } }] });
    expect(messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_read_1' });
    expect(toolMessageOf(turns[1]!.body)).toContain(NOTE);

    const logged = await recordsOf(openai.requests.length, (r) => r.path === '/v1/messages' && r.provider === 'openai');
    expect(logged).toHaveLength(openai.requests.length);
    for (const r of logged) expect(r).toMatchObject({ requestType: 'messages', modelRequested: 'openai/gpt-4o-mini', model: 'gpt-4o-mini', statusCode: 200, success: true });
    const last = logged.find((r) => r.bodies?.request?.includes('call_read_1') && r.bodies.request.includes('tool_result'));
    expect(last?.tokens).toMatchObject({ input: 900, output: 12 });
    // The answer as Claude Code received it: Anthropic's Message, assembled from the translated stream.
    expect(last?.bodies?.response).toContain(NOTE);
  }, 180_000);
});

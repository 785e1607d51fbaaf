import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCurl, demoConnectionsFromEnv, ollamaRoot, probeOllama } from './demo-connections';

describe('quickstart connections from the environment', () => {
  it('makes one connection per provider key set, in order, ignoring blank values', () => {
    const out = demoConnectionsFromEnv({ GROQ_API_KEY: 'gsk_1', ANTHROPIC_API_KEY: ' sk-ant-1 ', OPENAI_API_KEY: '', GEMINI_API_KEY: 'AIza1', MISTRAL_API_KEY: '  ', PATH: '/bin' }, null);
    expect(out).toEqual([
      { provider: 'anthropic', slug: 'anthropic', name: 'Anthropic', from: 'ANTHROPIC_API_KEY', credentials: { api_key: 'sk-ant-1' }, model: 'claude-3-5-haiku' },
      { provider: 'google-ai-studio', slug: 'gemini', name: 'Gemini', from: 'GEMINI_API_KEY', credentials: { api_key: 'AIza1' }, model: 'gemini-2.5-flash' },
      { provider: 'groq', slug: 'groq', name: 'Groq', from: 'GROQ_API_KEY', credentials: { api_key: 'gsk_1' }, model: 'llama-3.1-8b' },
    ]);
    expect(demoConnectionsFromEnv({}, null)).toEqual([]);
    expect(demoConnectionsFromEnv({ OPENAI_API_KEY: 'sk-1', MISTRAL_API_KEY: 'm' }, null).map((c) => [c.provider, c.model])).toEqual([
      ['openai', 'gpt-4o-mini'],
      ['mistral', 'mistral-small'],
    ]);
  });

  it('adds Ollama last, keyless, at its /v1, tried with its first pulled model', () => {
    const out = demoConnectionsFromEnv({ OPENAI_API_KEY: 'sk-1' }, { root: 'http://127.0.0.1:11434', models: ['qwen2.5:0.5b', 'llama3.2'] });
    expect(out[1]).toEqual({ provider: 'ollama', slug: 'ollama', name: 'Ollama', from: 'OLLAMA_BASE_URL', credentials: {}, base_url: 'http://127.0.0.1:11434/v1', model: 'ollama/qwen2.5:0.5b' });
    expect(ollamaRoot('http://localhost:11434/v1/')).toBe('http://localhost:11434');
  });

  it('prints a curl for the model without any provider key in it', () => {
    const curl = chatCurl('http://127.0.0.1:8080', 'sy_demo', 'claude-3-5-haiku');
    expect(curl).toContain('http://127.0.0.1:8080/v1/chat/completions');
    expect(curl).toContain('"model":"claude-3-5-haiku"');
    expect(curl).toContain('Bearer sy_demo');
  });
});

describe('the Ollama probe', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string };

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url !== '/api/tags') return void res.writeHead(404).end();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('lists the pulled models of a server that answers (OLLAMA_BASE_URL with or without /v1)', async () => {
    answer = { status: 200, body: JSON.stringify({ models: [{ name: 'llama3.2:latest' }, { name: 'qwen2.5:0.5b' }] }) };
    expect(await probeOllama(`${url}/v1`)).toEqual({ root: url, models: ['llama3.2:latest', 'qwen2.5:0.5b'] });
  });

  it('is null when unset, when the server errs, or when nothing listens', async () => {
    expect(await probeOllama(undefined)).toBeNull();
    answer = { status: 500, body: '{}' };
    expect(await probeOllama(url)).toBeNull();
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(await probeOllama(`http://127.0.0.1:${port}`, fetch, 500)).toBeNull();
  });
});

/**
 * The quickstart's provider connections: each provider key found in the environment (or `.env`) becomes a
 * default connection of the demo organization, and an Ollama server at `OLLAMA_BASE_URL` that answers too.
 * Pure, apart from the Ollama probe (given its fetch).
 */
import type { ProviderId } from '@switchyard/types';

export interface DemoConnection {
  provider: ProviderId;
  slug: string;
  name: string;
  /** The environment variable it came from (printed; its value never is). */
  from: string;
  credentials: Record<string, string>;
  base_url?: string;
  /** A model to try it with: a catalog slug, or `ollama/<model>`. */
  model: string;
}

/** Provider keys read from the environment, in the order the first available one is chosen for the example curl. */
export const PROVIDER_KEYS: readonly { env: string; provider: ProviderId; slug: string; name: string; model: string }[] = [
  { env: 'OPENAI_API_KEY', provider: 'openai', slug: 'openai', name: 'OpenAI', model: 'gpt-4o-mini' },
  { env: 'ANTHROPIC_API_KEY', provider: 'anthropic', slug: 'anthropic', name: 'Anthropic', model: 'claude-3-5-haiku' },
  { env: 'GEMINI_API_KEY', provider: 'google-ai-studio', slug: 'gemini', name: 'Gemini', model: 'gemini-2.5-flash' },
  { env: 'MISTRAL_API_KEY', provider: 'mistral', slug: 'mistral', name: 'Mistral', model: 'mistral-small' },
  { env: 'GROQ_API_KEY', provider: 'groq', slug: 'groq', name: 'Groq', model: 'llama-3.1-8b' },
];

/** An Ollama server that answered the probe: its root URL and the models it has pulled. */
export interface OllamaServer {
  root: string;
  models: string[];
}

/** The connections the environment asks for: one per provider key set (blank values ignored), then Ollama's. */
export function demoConnectionsFromEnv(env: Readonly<Record<string, string | undefined>>, ollama: OllamaServer | null): DemoConnection[] {
  const out: DemoConnection[] = [];
  for (const p of PROVIDER_KEYS) {
    const key = env[p.env]?.trim();
    if (key) out.push({ provider: p.provider, slug: p.slug, name: p.name, from: p.env, credentials: { api_key: key }, model: p.model });
  }
  if (ollama) {
    out.push({
      provider: 'ollama',
      slug: 'ollama',
      name: 'Ollama',
      from: 'OLLAMA_BASE_URL',
      credentials: {},
      base_url: `${ollama.root}/v1`,
      model: `ollama/${ollama.models[0] ?? 'llama3.2'}`,
    });
  }
  return out;
}

/** `OLLAMA_BASE_URL` as the server's root: `http://host:11434`, with or without `/v1` or a trailing slash. */
export const ollamaRoot = (baseUrl: string): string => baseUrl.trim().replace(/\/+$/, '').replace(/\/v1$/, '');

/** Asks the Ollama server at `baseUrl` for its models (`GET /api/tags`); null when it does not answer in time. */
export async function probeOllama(baseUrl: string | undefined, fetchFn: typeof fetch = fetch, timeoutMs = 2000): Promise<OllamaServer | null> {
  if (!baseUrl?.trim()) return null;
  const root = ollamaRoot(baseUrl);
  try {
    const res = await fetchFn(`${root}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return null;
    const body = (await res.json()) as { models?: { name?: unknown }[] };
    const models = (body.models ?? []).flatMap((m) => (typeof m.name === 'string' ? [m.name] : []));
    return { root, models };
  } catch {
    return null;
  }
}

/** The curl that calls `model` through the router with `key`. */
export function chatCurl(router: string, key: string, model: string): string {
  return `curl -s ${router}/v1/chat/completions -H "Authorization: Bearer ${key}" -H 'content-type: application/json' \\
    -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`;
}

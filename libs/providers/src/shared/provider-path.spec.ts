import { providerPathCall, providerPathScopeError, providerUrl, OPENAI_PATH_USAGE, type ProviderPathRequest } from './provider-path';

const request = (path: string, json: Record<string, unknown> | null = null): ProviderPathRequest => ({ method: 'POST', path, body: null, json, headers: {} });

describe('provider paths', () => {
  it.each([
    ['https://api.openai.com/v1', '/chat/completions', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com/v1/', '/v1/chat/completions', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.groq.com/openai/v1', '/chat/completions', 'https://api.groq.com/openai/v1/chat/completions'],
    ['https://api.mistral.ai/v1', '/v1/chat/completions', 'https://api.mistral.ai/v1/chat/completions'],
    ['https://api.anthropic.com/v1', '/v1/messages', 'https://api.anthropic.com/v1/messages'],
    ['https://generativelanguage.googleapis.com/v1beta', '/v1/models/m:generateContent', 'https://generativelanguage.googleapis.com/v1/models/m:generateContent'],
    ['https://generativelanguage.googleapis.com/v1beta', '/v1beta/models/m:streamGenerateContent?alt=sse&key=client', 'https://generativelanguage.googleapis.com/v1beta/models/m:streamGenerateContent?alt=sse'],
    ['http://127.0.0.1:9000', '/chat/completions?key=x', 'http://127.0.0.1:9000/chat/completions'],
  ])('%s + %s = %s (a path with its own version replaces the base version; the client key query is dropped)', (base, path, url) => {
    expect(providerUrl(base, path)).toBe(url);
  });

  it('finds the model and the stream flag where each provider puts them', () => {
    expect(providerPathCall('openai', request('/chat/completions', { model: 'gpt-4o-mini', stream: true }))).toEqual({ model: 'gpt-4o-mini', stream: true });
    expect(providerPathCall('groq', request('/models'))).toEqual({ model: null, stream: false });
    expect(providerPathCall('google-ai-studio', request('/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse'))).toEqual({ model: 'gemini-2.0-flash', stream: true });
    expect(providerPathCall('google-vertex', request('/v1/projects/p/locations/l/publishers/anthropic/models/claude-3-5-haiku%4020241022:rawPredict'))).toEqual({
      model: 'claude-3-5-haiku@20241022',
      stream: false,
    });
    expect(providerPathCall('aws-bedrock', request('/bedrock-runtime/us-east-1/model/anthropic.claude-v2%3A1/invoke-with-response-stream'))).toEqual({ model: 'anthropic.claude-v2:1', stream: true });
    expect(providerPathCall('aws-bedrock', request('/bedrock-runtime/us-east-1/model/amazon.nova-lite-v1%3A0/converse'))).toEqual({ model: 'amazon.nova-lite-v1:0', stream: false });
    expect(providerPathCall('azure-openai', request('/my-resource/my-deployment/chat/completions?api-version=2024-10-21', { stream: true }))).toEqual({ model: 'my-deployment', stream: true });
  });

  it("reads OpenAI-format and Responses usage from a JSON answer, and none from one without", () => {
    expect(OPENAI_PATH_USAGE.body({ usage: { prompt_tokens: 8, total_tokens: 8 } })).toMatchObject({ prompt_tokens: 8, completion_tokens: 0, total_tokens: 8 });
    expect(OPENAI_PATH_USAGE.body({ usage: { input_tokens: 5, output_tokens: 2 } })).toMatchObject({ prompt_tokens: 5, completion_tokens: 2 });
    expect(OPENAI_PATH_USAGE.body({ data: [] })).toBeNull();
    const events = OPENAI_PATH_USAGE.events!();
    expect(events({ data: '{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}' })).toMatchObject({ prompt_tokens: 3 });
    expect(events({ data: '[DONE]' })).toBeNull();
  });
});

describe('provider path scope', () => {
  const azure = { api_key: 'k', resource_name: 'my-resource', api_version: '2024-10-21' };
  const vertex = { service_account_json: '{}', project_id: 'my-project', region: 'us-central1' };
  const bedrock = { access_key_id: 'AKIA', secret_access_key: 's', region: 'us-east-1' };

  it('lets a path through that names the connection’s Azure resource, Vertex project and region or Bedrock region; other providers are not scoped', () => {
    expect(providerPathScopeError('azure-openai', '/my-resource/gpt-4o/chat/completions?api-version=2024-10-21', azure)).toBeNull();
    expect(providerPathScopeError('google-vertex', '/v1/projects/my-project/locations/us-central1/publishers/google/models/g:generateContent', vertex)).toBeNull();
    expect(providerPathScopeError('google-vertex', '/v1beta1/projects/my-project/locations/us-central1/publishers/google/models/g:generateContent', vertex)).toBeNull();
    expect(providerPathScopeError('aws-bedrock', '/bedrock-runtime/us-east-1/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse', bedrock)).toBeNull();
    expect(providerPathScopeError('openai', '/../anything', {})).toBeNull();
  });

  it.each([
    ['azure-openai', '/other-resource/gpt-4o/chat/completions', azure, "The Azure resource 'other-resource'"],
    ['azure-openai', '/my-resource/../other/chat/completions', azure, "'.' or '..'"],
    ['azure-openai', '/my-resource/gpt%2F..%2Fx/chat/completions', azure, 'encoded slashes'],
    ['google-vertex', '/v1/projects/their-project/locations/us-central1/publishers/google/models/g:generateContent', vertex, "The Vertex project 'their-project'"],
    ['google-vertex', '/v1/projects/my-project/locations/europe-west4/publishers/google/models/g:generateContent', vertex, "region 'europe-west4'"],
    ['google-vertex', '/v1/projects/my-project/locations/us-central1/%2E%2E/x', vertex, "'.' or '..'"],
    ['google-vertex', '/v1/publishers/google/models/g:generateContent', vertex, 'must start with /v1/projects/'],
    ['aws-bedrock', '/bedrock-runtime/eu-west-1/model/m/converse', bedrock, "The AWS region 'eu-west-1'"],
    ['aws-bedrock', '/model/m/converse', bedrock, 'must start with /bedrock-runtime/{region}/'],
    ['aws-bedrock', '/bedrock-runtime/us-east-1/model/m/..%2F..%2Fx', bedrock, "'.' or '..'"],
  ] as const)('refuses %s %s', (provider, path, credentials, message) => {
    expect(providerPathScopeError(provider, path, credentials)).toContain(message);
  });
});

import { Readable } from 'node:stream';
import type { MultipartPart } from '@switchyard/types';
import { loggedBody, parseEndpointRequest, parseTranscriptionForm, refuseCacheControls } from './endpoint-request';
import { parseRequestControls } from './request-controls';

const file: MultipartPart = { name: 'file', filename: 'a.wav', contentType: 'audio/wav', size: 3, content: () => Readable.from([Buffer.from([1, 2, 3])]) };

describe('parseEndpointRequest', () => {
  it('forwards the body as sent minus the gateway fields and metadata; hands the extensions to the controls', () => {
    const body = { model: 'text-embedding-3-small', input: 'x', input_type: 'search_query', fallback_models: ['gemini/text-embedding-004'], metadata: { team: 'a' }, disable_log: true };
    const { request, extensions } = parseEndpointRequest('embeddings', body);
    expect(request).toEqual({ operation: 'embeddings', body: { model: 'text-embedding-3-small', input: 'x', input_type: 'search_query' } });
    expect(extensions).toMatchObject({ fallback_models: ['gemini/text-embedding-004'], metadata: { team: 'a' }, disable_log: true });
  });

  it('refuses what the endpoint cannot take with a 400 naming the field', () => {
    expect(() => parseEndpointRequest('embeddings', { model: 'm', input: [] })).toThrow(expect.objectContaining({ status: 400, param: 'input' }));
    expect(() => parseEndpointRequest('embeddings', { model: 'm', input: 'x', encoding_format: 'int8' })).toThrow(expect.objectContaining({ param: 'encoding_format' }));
    expect(() => parseEndpointRequest('images', { prompt: 'p' })).toThrow(expect.objectContaining({ param: 'model' }));
    expect(() => parseEndpointRequest('images', { model: 'gpt-image-1', prompt: 'p', stream: true })).toThrow(expect.objectContaining({ param: 'stream' }));
    expect(() => parseEndpointRequest('speech', { model: 'tts-1', input: 'hi' })).toThrow(expect.objectContaining({ param: 'voice' }));
    expect(() => parseEndpointRequest('completions', [])).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('refuses the cache fields and headers, which only chat-shaped calls honour, instead of ignoring them', () => {
    expect(() => parseEndpointRequest('embeddings', { model: 'm', input: 'x', cache_enabled: true })).toThrow(expect.objectContaining({ status: 400, param: 'cache_enabled' }));
    expect(() => parseEndpointRequest('completions', { model: 'm', prompt: 'x', cache_ttl: 60 })).toThrow(expect.objectContaining({ status: 400, param: 'cache_ttl' }));
    expect(() => refuseCacheControls('embeddings', parseRequestControls({ 'x-gateway-cache-key': 'k' }).cache)).toThrow(expect.objectContaining({ status: 400, param: 'x-gateway-cache-key' }));
    expect(() => refuseCacheControls('embeddings', parseRequestControls({ 'cf-aig-cache-ttl': '60' }).cache)).toThrow(expect.objectContaining({ param: 'x-gateway-cache-ttl' }));
    expect(() => refuseCacheControls('embeddings', parseRequestControls({ 'x-gateway-skip-cache': 'true' }).cache)).not.toThrow();
  });
});

describe('parseTranscriptionForm', () => {
  it('keeps the form in order without the gateway fields, which become extensions', () => {
    const parts: MultipartPart[] = [{ name: 'model', value: 'whisper-1' }, file, { name: 'fallback_models', value: '["azure-openai/whisper-1"]' }, { name: 'stream', value: 'true' }];
    const { request, extensions } = parseTranscriptionForm(parts);
    expect(request).toEqual({ operation: 'transcription', body: { model: 'whisper-1', stream: true, parts: [parts[0], file, parts[3]] } });
    expect(extensions).toEqual({ fallback_models: ['azure-openai/whisper-1'] });
  });

  it('needs exactly one file named file, a model and valid fields', () => {
    expect(() => parseTranscriptionForm([{ name: 'model', value: 'whisper-1' }])).toThrow(expect.objectContaining({ param: 'file' }));
    expect(() => parseTranscriptionForm([file])).toThrow(expect.objectContaining({ param: 'model' }));
    expect(() => parseTranscriptionForm([{ name: 'model', value: 'w' }, file, { name: 'temperature', value: '7' }])).toThrow(expect.objectContaining({ param: 'temperature' }));
    expect(() => parseTranscriptionForm([{ name: 'model', value: 'w' }, file, { name: 'fallback_models', value: 'nope' }])).toThrow(expect.objectContaining({ param: 'fallback_models' }));
  });

  it('logs a form with its file described, never its bytes', () => {
    const { request } = parseTranscriptionForm([{ name: 'model', value: 'whisper-1' }, file]);
    expect(loggedBody(request, null)).toEqual({ model: 'whisper-1', file: { filename: 'a.wav', content_type: 'audio/wav', bytes: 3 } });
  });
});

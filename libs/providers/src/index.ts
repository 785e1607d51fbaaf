export * from './types';
export * from './registry';
export { openAICompatibleAdapter, OpenAIStreamDecoder, bearer, type OpenAICompatibleConfig } from './openai-compatible';
export { SseDecoder } from './shared/sse';
export { parseJsonError } from './shared/errors';

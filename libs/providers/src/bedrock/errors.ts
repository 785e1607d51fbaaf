import { parseJsonError } from '../shared/errors';
import type { ProviderErrorInfo } from '../types';

/** Bedrock error bodies are `{"message":"…"}` (the type travels in the x-amzn-ErrorType header). */
export function parseBedrockError(status: number, body: string): ProviderErrorInfo {
  return parseJsonError(status, body);
}

import { parseJsonError } from '../shared/errors';
import type { ProviderErrorInfo } from '../types';

/** `{"type":"error","error":{"type":"invalid_request_error","message":"…"}}` */
export function parseAnthropicError(status: number, body: string): ProviderErrorInfo {
  return parseJsonError(status, body);
}

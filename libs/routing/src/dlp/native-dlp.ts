import type { ProviderPathRequest } from '@switchyard/providers';
import { invalidRequest, type ProviderId } from '@switchyard/types';
import type { EndpointResult } from '../executor';
import { oneBuffer } from '../stream-batches';
import { findingsOf, policiesFor, scan, type DlpPolicy, type DlpResult } from './dlp-policy';
import { checkSlots, DlpBlockedError, type DetectorLookup } from './dlp-stage';
import { answerTexts, nativeRequestSlots, streamText } from './native-text';

const notApplicable = (provider: ProviderId, path: string) =>
  invalidRequest(
    `This project's DLP policies cannot read the body of ${provider} ${path.split('?')[0]}: DLP reads OpenAI chat, Responses and embeddings, Anthropic Messages, Gemini generateContent and Bedrock Converse bodies (JSON). Call /compat/chat/completions instead.`,
    'provider',
    'dlp_not_applicable',
  );

/**
 * The REQUEST policies over a provider-native request: its texts read where the body's shape puts them (a body DLP
 * cannot read is a 400 `dlp_not_applicable`, never sent unchecked); a BLOCK match throws DlpBlockedError (2029); REDACT
 * matches are replaced in a copy of the body, whose bytes are what goes upstream (Bedrock signs them); FLAG matches
 * are reported. A call without a body (GET) has nothing to read.
 */
export function checkNativeRequest(
  policies: readonly DlpPolicy[],
  provider: ProviderId,
  request: ProviderPathRequest,
  detectorOf: DetectorLookup,
): { request: ProviderPathRequest; dlp: DlpResult | null } {
  if (request.method === 'GET') return { request, dlp: null };
  if (!request.json) throw notApplicable(provider, request.path);
  const applying = policiesFor(policies, 'REQUEST');
  const redacts = applying.some((p) => p.action === 'REDACT');
  const body = redacts ? (structuredClone(request.json) as Record<string, unknown>) : (request.json as Record<string, unknown>);
  const slots = nativeRequestSlots(provider, request.path, body);
  // The shape is checked even without REQUEST policies: an answer is only read for a request DLP understands.
  if (!slots) throw notApplicable(provider, request.path);
  if (!applying.length) return { request, dlp: null };
  const dlp = checkSlots(applying, slots, redacts, detectorOf);
  return dlp && redacts ? { request: { ...request, json: body, body: Buffer.from(JSON.stringify(body), 'utf8') }, dlp } : { request, dlp };
}

/**
 * The RESPONSE policies over a provider's own answer: a JSON body's texts, or a stream read whole first (buffered)
 * and handed on from memory as one piece (its usage set as its events passed). A BLOCK match throws DlpBlockedError (2030).
 */
export async function checkNativeResponse(policies: readonly DlpPolicy[], result: EndpointResult, detectorOf: DetectorLookup): Promise<DlpResult | null> {
  const applying = policiesFor(policies, 'RESPONSE');
  if (!applying.length) return null;
  let texts: string[];
  if (result.kind === 'json') texts = answerTexts(result.body);
  else {
    const parts: Buffer[] = [];
    for await (const chunk of result.body) parts.push(chunk);
    const bytes = Buffer.concat(parts);
    texts = [streamText(result.contentType, bytes)];
    result.body = oneBuffer(bytes);
  }
  const dlp = findingsOf(scan(texts, applying, detectorOf), 'RESPONSE');
  if (dlp?.action === 'BLOCK') throw new DlpBlockedError(dlp);
  return dlp;
}

import { GatewayError, type ChatRequest } from '@switchyard/types';
import type { ExecutionResult } from '../executor';
import { StreamAssembler } from '../pipeline/stream-assembler';
import { tailOf } from '../stream-batches';
import { BUILT_IN_DETECTORS, type DlpDetector } from './detectors';
import { findingsOf, policiesFor, redactTexts, scan, type DlpCheck, type DlpPolicy, type DlpResult } from './dlp-policy';
import { completionTexts, copyMessages, requestSlots, type TextSlot } from './dlp-text';

export const DLP_HEADERS = ['x-gateway-dlp', 'cf-aig-dlp'] as const;

/** The `x-gateway-dlp` / `cf-aig-dlp` headers of a result (Cloudflare's JSON shape). */
export function dlpHeaders(result: DlpResult): Record<string, string> {
  const value = JSON.stringify(result);
  return Object.fromEntries(DLP_HEADERS.map((h) => [h, value]));
}

/** A request (code 2029) or its answer (2030) blocked by a DLP policy: a 400 in the OpenAI shape, with the DLP header. */
export class DlpBlockedError extends GatewayError {
  constructor(readonly dlp: DlpResult) {
    const check = dlp.findings[0]?.check ?? 'REQUEST';
    const policies = [...new Set(dlp.findings.flatMap((f) => f.policy_ids))].join(', ');
    const what = check === 'REQUEST' ? 'The request' : 'The response';
    super(400, 'invalid_request_error', check === 'REQUEST' ? '2029' : '2030', `${what} was blocked by the DLP policy ${policies}.`, { headers: dlpHeaders(dlp) });
  }
}

/** A profile id's detector: a built-in, else one of the organization's custom profiles. */
export type DetectorLookup = (id: string) => DlpDetector | undefined;

export const builtInDetector: DetectorLookup = (id) => BUILT_IN_DETECTORS.get(id);

/**
 * The REQUEST policies over a request: a BLOCK match throws DlpBlockedError (2029); REDACT matches are
 * replaced by their placeholders in a copy of the request (what goes upstream); FLAG matches are reported.
 */
export function checkRequest(policies: readonly DlpPolicy[], request: ChatRequest, detectorOf: DetectorLookup): { request: ChatRequest; dlp: DlpResult | null } {
  const applying = policiesFor(policies, 'REQUEST');
  if (!applying.length) return { request, dlp: null };
  const redacts = applying.some((p) => p.action === 'REDACT');
  const messages = redacts ? copyMessages(request) : request.messages;
  const dlp = checkSlots(applying, requestSlots(messages), redacts, detectorOf);
  return dlp && redacts ? { request: { ...request, messages }, dlp } : { request, dlp };
}

/**
 * The REQUEST policies (`applying`) over a request's texts: a BLOCK match throws DlpBlockedError (2029); with
 * `redacts`, the REDACT matches are replaced by their placeholders through the slots. Null when nothing matched.
 */
export function checkSlots(applying: readonly DlpPolicy[], slots: readonly TextSlot[], redacts: boolean, detectorOf: DetectorLookup): DlpResult | null {
  const texts = slots.map((s) => s.text);
  const scans = scan(texts, applying, detectorOf);
  const dlp = findingsOf(scans, 'REQUEST');
  if (!dlp) return null;
  if (dlp.action === 'BLOCK') throw new DlpBlockedError(dlp);
  if (redacts) {
    const redacted = redactTexts(texts, scans);
    slots.forEach((slot, i) => slot.set(redacted[i]!));
  }
  return dlp;
}

/**
 * A copy of a JSON value (the request as the log records it) with the REDACT matches of the REQUEST policies
 * replaced in every string it holds, whatever its shape: the stored request log never holds what REDACT kept
 * from the upstream. Only called when a REDACT policy matched.
 */
export function redactStrings(value: unknown, policies: readonly DlpPolicy[], detectorOf: DetectorLookup): unknown {
  const copy = structuredClone(value);
  const slots: TextSlot[] = [];
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const holder = node as Record<string | number, unknown>;
    for (const key of Object.keys(holder)) {
      const item = holder[key];
      if (typeof item === 'string') slots.push({ text: item, set: (t) => (holder[key] = t) });
      else walk(item);
    }
  };
  if (typeof copy === 'string') return redactTexts([copy], scan([copy], policiesFor(policies, 'REQUEST'), detectorOf))[0];
  walk(copy);
  const texts = slots.map((s) => s.text);
  const redacted = redactTexts(texts, scan(texts, policiesFor(policies, 'REQUEST'), detectorOf));
  slots.forEach((slot, i) => slot.set(redacted[i]!));
  return copy;
}

/**
 * The RESPONSE policies over an answer. A stream is read whole first (buffered, its batches kept) and
 * replayed from memory in its original shape. A BLOCK match throws DlpBlockedError (2030).
 */
export async function checkResponse(policies: readonly DlpPolicy[], result: ExecutionResult, detectorOf: DetectorLookup): Promise<DlpResult | null> {
  const applying = policiesFor(policies, 'RESPONSE');
  if (!applying.length) return null;
  let texts: string[];
  if (result.kind === 'completion') texts = completionTexts(result.completion);
  else {
    const batches = [result.head];
    for await (const batch of result.tail) batches.push(batch);
    const assembler = new StreamAssembler();
    for (const b of batches) assembler.push(b);
    texts = completionTexts(assembler.completion());
    const [head = [], ...rest] = batches;
    // In place: the executor's tail has set its usage on this object.
    result.head = head;
    result.tail = tailOf(rest);
  }
  const dlp = findingsOf(scan(texts, applying, detectorOf), 'RESPONSE' satisfies DlpCheck);
  if (dlp?.action === 'BLOCK') throw new DlpBlockedError(dlp);
  return dlp;
}

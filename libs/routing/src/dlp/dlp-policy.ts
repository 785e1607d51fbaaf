import type { ProjectSettings } from '@switchyard/types';
import type { DlpDetector, DlpMatch } from './detectors';

export type DlpCheck = 'REQUEST' | 'RESPONSE';
export type DlpAction = 'FLAG' | 'BLOCK' | 'REDACT';

/** An enabled policy, the legacy shape (`{enabled, action, profiles}`, both directions) normalized to it. */
export interface DlpPolicy {
  id: string;
  action: DlpAction;
  check: readonly DlpCheck[];
  profiles: readonly string[];
}

/** One finding in the Cloudflare `cf-aig-dlp` shape (`context` stays null: the matched text is never echoed). */
export interface DlpFinding {
  profile: { context: null; entry_ids: string[]; profile_id: string };
  policy_ids: string[];
  check: DlpCheck;
}

/** What DLP found in a request and its answer: the header's and the log record's `dlp`. */
export interface DlpResult {
  findings: DlpFinding[];
  /** The strongest action of the matched policies: BLOCK over REDACT over FLAG. */
  action: DlpAction;
}

type DlpSettings = NonNullable<ProjectSettings['dlp']>;

/** The project's enabled policies (none when DLP is off). */
export function enabledPolicies(dlp: DlpSettings | null): DlpPolicy[] {
  if (!dlp?.enabled) return [];
  if ('policies' in dlp) return dlp.policies.filter((p) => p.enabled);
  return [{ id: 'default', action: dlp.action, check: ['REQUEST', 'RESPONSE'], profiles: dlp.profiles }];
}

export const policiesFor = (policies: readonly DlpPolicy[], check: DlpCheck) => policies.filter((p) => p.check.includes(check));

/** The matches of one profile in the texts (per text), with the policies that name it. */
interface ProfileScan {
  detector: DlpDetector;
  policies: DlpPolicy[];
  matches: DlpMatch[][];
}

/** Scans texts with every profile the policies name; `detectorOf` gives a profile id's detector (undefined: unknown, skipped). */
export function scan(texts: readonly string[], policies: readonly DlpPolicy[], detectorOf: (id: string) => DlpDetector | undefined): ProfileScan[] {
  const byProfile = new Map<string, DlpPolicy[]>();
  for (const p of policies) for (const id of p.profiles) byProfile.set(id, [...(byProfile.get(id) ?? []), p]);
  const out: ProfileScan[] = [];
  for (const [id, named] of byProfile) {
    const detector = detectorOf(id);
    if (!detector) continue;
    const matches = texts.map((t) => detector.find(t));
    if (matches.some((m) => m.length)) out.push({ detector, policies: named, matches });
  }
  return out;
}

const RANK: Record<DlpAction, number> = { FLAG: 0, REDACT: 1, BLOCK: 2 };

/** The findings of a scan, in the Cloudflare shape, with the strongest action; null when nothing matched. */
export function findingsOf(scans: readonly ProfileScan[], check: DlpCheck): DlpResult | null {
  if (!scans.length) return null;
  let action: DlpAction = 'FLAG';
  const findings = scans.map(({ detector, policies, matches }) => {
    for (const p of policies) if (RANK[p.action] > RANK[action]) action = p.action;
    const entries = [...new Set(matches.flat().map((m) => m.entry))];
    return { profile: { context: null, entry_ids: entries, profile_id: detector.id }, policy_ids: policies.map((p) => p.id), check };
  });
  return { findings, action };
}

/** Both directions' results as one (the response's findings after the request's; the strongest action). */
export function mergeResults(a: DlpResult | null, b: DlpResult | null): DlpResult | null {
  if (!a || !b) return a ?? b;
  return { findings: [...a.findings, ...b.findings], action: RANK[b.action] > RANK[a.action] ? b.action : a.action };
}

/**
 * Each text with the matches of the REDACT policies' profiles replaced by their placeholders (`[EMAIL]`);
 * overlapping matches are merged (the first placeholder kept).
 */
export function redactTexts(texts: readonly string[], scans: readonly ProfileScan[]): string[] {
  return texts.map((text, i) => {
    const spans = scans
      .filter((s) => s.policies.some((p) => p.action === 'REDACT'))
      .flatMap((s) => (s.matches[i] ?? []).map((m) => ({ ...m, placeholder: s.detector.placeholder })))
      .sort((a, b) => a.start - b.start || b.end - a.end);
    if (!spans.length) return text;
    let out = '';
    let at = 0;
    for (const span of spans) {
      if (span.start < at) continue;
      out += text.slice(at, span.start) + span.placeholder;
      at = span.end;
    }
    return out + text.slice(at);
  });
}

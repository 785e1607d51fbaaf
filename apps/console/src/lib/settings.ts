/** The project settings form: bounds shown beside each field (docs/admin-api.md) and the PATCH of what changed. */
export const SETTING_HINTS: Record<string, string> = {
  retry_max_attempts: '1-5',
  retry_delay: '0-5000 ms',
  retry_backoff: 'constant | linear | exponential',
  cache_ttl: 'seconds; 0 = off',
  log_management: '10,000-10,000,000 logs',
  log_management_strategy: 'STOP_INSERTING | DELETE_OLDEST',
  retention_days: 'days',
  rate_limiting_limit: 'requests per interval',
  rate_limiting_interval: 'seconds',
  rate_limiting_technique: 'fixed | sliding',
  dlp: 'DLP policies (JSON)',
  otel: 'stored only',
};

const FIXED = new Set(['id', 'uuid', 'organization_id', 'is_default', 'created_at', 'modified_at']);

export type SettingKind = 'boolean' | 'number' | 'string' | 'json';
export function settingFields(project: Record<string, unknown>): Array<{ name: string; kind: SettingKind; value: unknown }> {
  return Object.entries(project)
    .filter(([k]) => !FIXED.has(k))
    .map(([name, value]) => ({
      name,
      value,
      kind: typeof value === 'boolean' ? 'boolean' : typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : 'json',
    }));
}

/** Draft texts -> the PATCH body of the fields that changed, or the first field that does not parse. */
export function settingsPatch(project: Record<string, unknown>, drafts: Record<string, string | boolean>): { patch: Record<string, unknown> } | { error: string } {
  const patch: Record<string, unknown> = {};
  for (const f of settingFields(project)) {
    if (!(f.name in drafts)) continue;
    const d = drafts[f.name]!;
    let v: unknown;
    if (f.kind === 'boolean') v = d === true;
    else if (typeof d === 'string' && d.trim() === '' && f.kind !== 'string') v = null;
    else if (f.kind === 'number') {
      v = Number(d);
      if (!Number.isFinite(v)) return { error: `${f.name}: '${String(d)}' is not a number.` };
    } else if (f.kind === 'json' || (f.value === null && typeof d === 'string' && /^[[{]/.test(d.trim()))) {
      try {
        v = JSON.parse(String(d));
      } catch {
        return { error: `${f.name}: not valid JSON.` };
      }
    } else v = d;
    if (JSON.stringify(v) !== JSON.stringify(f.value)) patch[f.name] = v;
  }
  return { patch };
}

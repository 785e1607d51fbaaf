import { credentialsOf } from './providers';
import { settingsPatch } from './settings';
import { waterfall, type TraceSpan } from './waterfall';

describe('connection credentials (write-only secrets)', () => {
  it('requires every field on create and sends only typed fields on edit', () => {
    expect(credentialsOf('openai', { api_key: ' sk-1 ' }, false)).toEqual({ credentials: { api_key: 'sk-1' } });
    expect(credentialsOf('aws-bedrock', { access_key_id: 'a', secret_access_key: 'b' }, false)).toEqual({ error: 'Region is required for AWS Bedrock.' });
    expect(credentialsOf('ollama', {}, false)).toEqual({ credentials: {} });
    expect(credentialsOf('aws-bedrock', { region: 'eu-west-1' }, true)).toEqual({ credentials: { region: 'eu-west-1' } });
    expect(credentialsOf('openai', {}, true)).toEqual({ credentials: null });
    expect(credentialsOf('nope', {}, false)).toEqual({ error: "Unknown provider 'nope'." });
  });
});

describe('project settings patch', () => {
  const project = { id: 'default', name: 'Default', retry_max_attempts: 1, collect_logs: true, cache_ttl: null, dlp: null, retry_backoff: 'constant' };
  it('sends only what changed, typed', () => {
    expect(settingsPatch(project, { retry_max_attempts: '3', collect_logs: true, retry_backoff: 'exponential' })).toEqual({ patch: { retry_max_attempts: 3, retry_backoff: 'exponential' } });
    expect(settingsPatch(project, { dlp: '{"enabled":true}' })).toEqual({ patch: { dlp: { enabled: true } } });
    expect(settingsPatch(project, { retry_max_attempts: 'x' })).toEqual({ error: "retry_max_attempts: 'x' is not a number." });
    expect(settingsPatch({ ...project, otel: [] }, { otel: '[' })).toEqual({ error: 'otel: not valid JSON.' });
  });
});

describe('trace waterfall', () => {
  const span = (id: string, parent: string | null, start: number, end: number): TraceSpan => ({
    span_id: id,
    parent_span_id: parent,
    name: id,
    service: 'svc',
    start_time_unix_nano: String(BigInt(start) * 1_000_000n + 1_700_000_000_000_000_000n),
    end_time_unix_nano: String(BigInt(end) * 1_000_000n + 1_700_000_000_000_000_000n),
    duration_ms: end - start,
    status: { code: 'OK' },
    attributes: {},
    events: [],
  });
  it('places spans by offset and width in the trace, indented by depth', () => {
    const { rows, totalMs } = waterfall([span('root', null, 0, 200), span('child', 'root', 50, 150), span('grandchild', 'child', 100, 100)]);
    expect(totalMs).toBe(200);
    expect(rows.map((r) => [r.span.span_id, r.depth, r.offset, r.width])).toEqual([
      ['root', 0, 0, 100],
      ['child', 1, 25, 50],
      ['grandchild', 2, 50, 0.5],
    ]);
    expect(waterfall([])).toEqual({ rows: [], totalMs: 0 });
  });
});

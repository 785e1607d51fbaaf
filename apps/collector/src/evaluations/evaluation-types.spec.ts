import type { LogMeasures } from '@switchyard/persistence';
import { evaluationResults } from './evaluation-types';

const none: LogMeasures = { logs: 0, priced: 0, cost: '0', avg_duration: null, p50_duration: null, p95_duration: null, thumbs_up: 0, thumbs_down: 0, scored: 0, avg_score: null };

describe('evaluationResults', () => {
  it('gives one completed result per type asked, in order, with null figures (not zeros) where nothing was measured', () => {
    const at = new Date('2026-12-06T00:00:00Z');
    const results = evaluationResults('e1', ['performance', 'cost', 'speed'], none, at);
    expect(results.map((r) => [r.evaluation_type_id, r.status, r.total_logs, JSON.parse(r.result)])).toEqual([
      ['performance', 1, 0, { thumbs_up: 0, thumbs_down: 0, positive_ratio: null, scored_logs: 0, average_score: null }],
      ['cost', 1, 0, { total_cost: 0, average_cost: null, priced_logs: 0, unpriced_logs: 0 }],
      ['speed', 1, 0, { average_duration_ms: null, p50_duration_ms: null, p95_duration_ms: null }],
    ]);
    expect(results[0]).toMatchObject({ evaluation_id: 'e1', created_at: at.toISOString(), modified_at: at.toISOString(), status_description: 'completed' });
  });

  it('averages cost over the priced logs only and counts the rated logs for performance', () => {
    const m = { ...none, logs: 4, priced: 2, cost: '0.3', thumbs_up: 1, thumbs_down: 3 };
    const [cost, perf] = evaluationResults('e1', ['cost', 'performance'], m);
    expect(JSON.parse(cost!.result)).toMatchObject({ total_cost: 0.3, average_cost: 0.15, unpriced_logs: 2 });
    expect(perf).toMatchObject({ total_logs: 4 });
    expect(JSON.parse(perf!.result)).toMatchObject({ positive_ratio: 0.25 });
  });
});

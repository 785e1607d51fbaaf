import type { LogMeasures } from '@switchyard/persistence';
import { newId } from '@switchyard/types';

/** When the built-in evaluation types were defined (their `created_at` / `modified_at`). */
const DEFINED_AT = '2026-12-06T00:00:00.000Z';

/** Cloudflare's evaluators: Cost, Speed and Performance (human feedback), computed over an evaluation's logs. */
export const EVALUATION_TYPES = [
  { id: 'cost', name: 'Cost', type: 'cost', description: "Total and average cost (USD) of the logs, from each log's recorded cost; unpriced logs are counted apart." },
  { id: 'speed', name: 'Speed', type: 'speed', description: 'Average, median (p50) and p95 duration of the logs, in milliseconds.' },
  { id: 'performance', name: 'Performance', type: 'human_feedback', description: 'Human feedback on the logs: thumbs up and down (PATCH feedback), the share rated up, and the average score.' },
].map((t) => ({ ...t, enable: true, mandatory: false, created_at: DEFINED_AT, modified_at: DEFINED_AT }));

export type EvaluationTypeId = 'cost' | 'speed' | 'performance';
export const EVALUATION_TYPE_IDS = EVALUATION_TYPES.map((t) => t.id) as [EvaluationTypeId, ...EvaluationTypeId[]];

/** One result of an evaluation (Cloudflare's shape; `result` is a JSON text of the figures). */
export interface EvaluationResult {
  id: string;
  created_at: string;
  modified_at: string;
  evaluation_id: string;
  evaluation_type_id: string;
  result: string;
  /** 1 = computed (the only state a stored result has: an evaluation is computed whole or not at all). */
  status: number;
  status_description: string;
  /** The logs this type's figures are over: all of them for cost and speed, the rated ones for performance. */
  total_logs: number;
}

const round = (v: number | null, digits = 6) => (v === null ? null : Number(v.toFixed(digits)));

/** What one evaluation type makes of the measures: its figures and the logs they are over. */
function figures(type: EvaluationTypeId, m: LogMeasures): { total: number; result: Record<string, number | null> } {
  switch (type) {
    case 'cost': {
      const cost = Number(m.cost);
      return { total: m.logs, result: { total_cost: round(cost), average_cost: m.priced ? round(cost / m.priced) : null, priced_logs: m.priced, unpriced_logs: m.logs - m.priced } };
    }
    case 'speed':
      return { total: m.logs, result: { average_duration_ms: round(m.avg_duration, 3), p50_duration_ms: round(m.p50_duration, 3), p95_duration_ms: round(m.p95_duration, 3) } };
    case 'performance': {
      const rated = m.thumbs_up + m.thumbs_down;
      return {
        total: rated,
        result: { thumbs_up: m.thumbs_up, thumbs_down: m.thumbs_down, positive_ratio: rated ? round(m.thumbs_up / rated, 4) : null, scored_logs: m.scored, average_score: round(m.avg_score, 4) },
      };
    }
  }
}

/** The results of an evaluation asking for `types`, over its logs' measures, computed at `now`. */
export function evaluationResults(evaluationId: string, types: string[], m: LogMeasures, now = new Date()): EvaluationResult[] {
  const at = now.toISOString();
  return types.map((type) => {
    const { total, result } = figures(type as EvaluationTypeId, m);
    return {
      id: newId(), created_at: at, modified_at: at, evaluation_id: evaluationId, evaluation_type_id: type,
      result: JSON.stringify(result), status: 1, status_description: 'completed', total_logs: total,
    };
  });
}

import { Injectable } from '@nestjs/common';
import { LogDatasetsRepository, LogEvaluationsRepository, type LogEvaluationListQuery, type LogEvaluationRow } from '@switchyard/persistence';
import { conflict, invalidRequest, notFound } from '@switchyard/types';
import { datasetView, pathId } from './datasets.service';
import { evaluationResults } from './evaluation-types';

/** An evaluation as Cloudflare answers it (its datasets as they were when it was created). */
export const evaluationView = (e: LogEvaluationRow, gatewayId: string, accountId: string) => ({
  id: e.id,
  created_at: e.created_at.toISOString(),
  modified_at: e.modified_at.toISOString(),
  name: e.name,
  gateway_id: gatewayId,
  datasets: e.datasets.map((d) => ({ ...datasetView(d, gatewayId), account_id: accountId, account_tag: accountId })),
  processed: e.processed,
  total_logs: e.total_logs,
  results: e.results,
});

/**
 * Evaluations of a gateway: Cost, Speed and Performance over the logs of its datasets, computed in PostgreSQL
 * (one aggregate statement) when created and again on request, under a row lock so that replicas never compute
 * the same evaluation at once.
 */
@Injectable()
export class EvaluationsService {
  constructor(
    private readonly evaluations: LogEvaluationsRepository,
    private readonly datasets: LogDatasetsRepository,
  ) {}

  list(projectId: string, q: LogEvaluationListQuery) {
    return this.evaluations.list(projectId, q);
  }

  async get(projectId: string, id: string): Promise<LogEvaluationRow> {
    return this.found(id, await this.evaluations.get(projectId, pathId(id)));
  }

  /** Creates the evaluation over the named datasets (each the project's and enabled) and computes it. */
  async create(projectId: string, input: { name: string; datasetIds: string[]; typeIds: string[] }): Promise<LogEvaluationRow> {
    const found = await this.datasets.findMany(projectId, input.datasetIds);
    const missing = input.datasetIds.filter((id) => !found.some((d) => d.id === id));
    if (missing.length) throw invalidRequest(`Unknown dataset(s): ${missing.join(', ')}.`, 'dataset_ids');
    const disabled = found.filter((d) => !d.enable);
    if (disabled.length) throw invalidRequest(`Dataset(s) not enabled: ${disabled.map((d) => d.id).join(', ')}.`, 'dataset_ids');
    const ordered = input.datasetIds.map((id) => found.find((d) => d.id === id)!);
    const created = await this.evaluations.create(projectId, input.name, ordered, input.typeIds);
    return this.run(projectId, created.id);
  }

  /** Computes the evaluation again over the logs its datasets match now; 409 while another request computes it. */
  async run(projectId: string, id: string): Promise<LogEvaluationRow> {
    const done = await this.evaluations.run(projectId, pathId(id), (e, m) => evaluationResults(e.id, e.evaluation_type_ids, m));
    if (done === 'busy') throw conflict(`Evaluation '${id}' is being computed; read it again shortly.`, 'evaluation_running', 'id');
    return this.found(id, done);
  }

  async delete(projectId: string, id: string): Promise<LogEvaluationRow> {
    return this.found(id, await this.evaluations.delete(projectId, pathId(id)));
  }

  private found(id: string, row: LogEvaluationRow | null): LogEvaluationRow {
    if (!row) throw notFound(`Evaluation '${id}' was not found.`, 'evaluation_not_found', 'id');
    return row;
  }
}

import { Injectable } from '@nestjs/common';
import { LogDatasetsRepository, type LogDatasetFields, type LogDatasetListQuery, type LogDatasetRow } from '@switchyard/persistence';
import { invalidRequest, isUuid, notFound } from '@switchyard/types';

/** A dataset as Cloudflare answers it. */
export const datasetView = (d: Pick<LogDatasetRow, 'id' | 'name' | 'enable' | 'filters'> & { created_at: Date | string; modified_at: Date | string }, gatewayId: string) => ({
  id: d.id,
  created_at: new Date(d.created_at).toISOString(),
  modified_at: new Date(d.modified_at).toISOString(),
  name: d.name,
  enable: d.enable,
  filters: d.filters,
  gateway_id: gatewayId,
});

/** A path's id: a UUID (a 400 naming it otherwise), lowercased. */
export function pathId(id: string): string {
  if (!isUuid(id)) throw invalidRequest("'id' must be a UUID.", 'id');
  return id.toLowerCase();
}

/** The datasets of a gateway (= project): saved log filters, evaluated over the logs when an evaluation runs. */
@Injectable()
export class DatasetsService {
  constructor(private readonly datasets: LogDatasetsRepository) {}

  list(projectId: string, q: LogDatasetListQuery) {
    return this.datasets.list(projectId, q);
  }

  async get(projectId: string, id: string): Promise<LogDatasetRow> {
    return this.found(id, await this.datasets.get(projectId, pathId(id)));
  }

  create(projectId: string, fields: LogDatasetFields): Promise<LogDatasetRow> {
    return this.datasets.create(projectId, fields);
  }

  async update(projectId: string, id: string, fields: LogDatasetFields): Promise<LogDatasetRow> {
    return this.found(id, await this.datasets.update(projectId, pathId(id), fields));
  }

  async delete(projectId: string, id: string): Promise<LogDatasetRow> {
    return this.found(id, await this.datasets.delete(projectId, pathId(id)));
  }

  private found(id: string, row: LogDatasetRow | null): LogDatasetRow {
    if (!row) throw notFound(`Dataset '${id}' was not found.`, 'dataset_not_found', 'id');
    return row;
  }
}

import type { DataSource } from 'typeorm';
import { WebhookDeliveryEntity } from '../entities';

export class WebhookDeliveriesRepository {
  constructor(private readonly ds: DataSource) {}

  private get repo() {
    return this.ds.getRepository(WebhookDeliveryEntity);
  }

  async insert(projectId: string, d: WebhookDeliveryEntity): Promise<void> {
    d.projectId = projectId;
    await this.repo.insert(d);
  }

  list(projectId: string, jobId: string): Promise<WebhookDeliveryEntity[]> {
    return this.repo.find({ where: { projectId, jobId }, order: { createdAt: 'ASC', attempt: 'ASC' } });
  }
}

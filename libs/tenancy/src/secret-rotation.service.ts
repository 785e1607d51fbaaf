import type { ConnectionsService } from './connections/connections.service';
import type { ProjectsService } from './projects/projects.service';

/** Master-key rotation: re-seals every stored secret (connection credentials, webhook secrets) under the current key. */
export class SecretRotationService {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly projects: ProjectsService,
  ) {}

  /** Returns how many secrets were re-sealed. */
  async resealAll(): Promise<number> {
    return (await this.connections.resealCredentials()) + (await this.projects.resealWebhookSecrets());
  }
}

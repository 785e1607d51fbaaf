import { Module, type Provider } from '@nestjs/common';
import { GatewayEventBus, SecretBox } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { AccessKeysRepository, ConnectionsRepository, DlpProfilesRepository, OrganizationsRepository, PersistenceModule, ProjectsRepository } from '@switchyard/persistence';
import { AccessKeysService } from './access-keys/access-keys.service';
import { ConnectionsService } from './connections/connections.service';
import { DlpProfilesService } from './dlp-profiles/dlp-profiles.service';
import { OrganizationsService } from './organizations/organizations.service';
import { ProjectsService } from './projects/projects.service';
import { SecretRotationService } from './secret-rotation.service';

type Token<T> = abstract new (...args: never[]) => T;

/** A plain class provided by Nest: its constructor's arguments, by token, in order. */
const provide = <T, A extends unknown[]>(cls: new (...args: A) => T, ...inject: { [K in keyof A]: Token<A[K]> }): Provider => ({
  provide: cls,
  inject,
  useFactory: (...args: A) => new cls(...args),
});

/**
 * The admin services of the tenancy aggregates (custom DLP profiles included) and master-key rotation (it registers the repositories it
 * uses; SecretBox and the event bus come from AuthModule).
 */
@Module({
  imports: [PersistenceModule.forFeature([OrganizationsRepository, ProjectsRepository, AccessKeysRepository, ConnectionsRepository, DlpProfilesRepository])],
  providers: [
    provide(OrganizationsService, OrganizationsRepository, SecretBox, GatewayEventBus),
    provide(ProjectsService, OrganizationsRepository, ProjectsRepository, SecretBox, GatewayEventBus, DlpProfilesService),
    provide(AccessKeysService, OrganizationsRepository, ProjectsRepository, AccessKeysRepository, GatewayEventBus),
    {
      provide: ConnectionsService,
      inject: [OrganizationsRepository, ConnectionsRepository, SecretBox, GatewayEventBus, APP_CONFIG],
      useFactory: (o: OrganizationsRepository, c: ConnectionsRepository, s: SecretBox, e: GatewayEventBus, config: ServiceConfig) =>
        new ConnectionsService(o, c, s, e, config.connections.allowPrivateBaseUrls),
    },
    provide(DlpProfilesService, OrganizationsRepository, DlpProfilesRepository, GatewayEventBus),
    provide(SecretRotationService, ConnectionsService, ProjectsService),
  ],
  exports: [OrganizationsService, ProjectsService, AccessKeysService, ConnectionsService, DlpProfilesService, SecretRotationService],
})
export class TenancyModule {}

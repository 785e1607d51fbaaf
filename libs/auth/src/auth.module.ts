import { Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { AccessKeysRepository, ConnectionsRepository, PersistenceModule, ProjectsRepository } from '@switchyard/persistence';
import { GatewayAuthGuard } from './auth.guard';
import { GatewayEventBus } from './events';
import { SecretBox } from './secret-box';
import { TenantDirectory } from './tenant-directory';

class AuthLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(GatewayEventBus) private readonly events: GatewayEventBus,
    @Inject(TenantDirectory) private readonly directory: TenantDirectory,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.events.start();
    this.directory.startUsageFlush();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.directory.stop();
    await this.events.close();
  }
}

/** Keys, secrets, cached tenant lookups, change events and the global guard (every route guarded unless @Public). */
@Global()
@Module({
  imports: [PersistenceModule.forFeature([ProjectsRepository, AccessKeysRepository, ConnectionsRepository])],
  providers: [
    { provide: SecretBox, inject: [APP_CONFIG], useFactory: (c: ServiceConfig) => new SecretBox(c.secrets.current, c.secrets.previous) },
    { provide: GatewayEventBus, inject: [APP_CONFIG], useFactory: (c: ServiceConfig) => new GatewayEventBus(c) },
    {
      provide: TenantDirectory,
      inject: [AccessKeysRepository, ProjectsRepository, ConnectionsRepository, SecretBox, GatewayEventBus, APP_CONFIG],
      useFactory: (k: AccessKeysRepository, p: ProjectsRepository, c: ConnectionsRepository, s: SecretBox, e: GatewayEventBus, cfg: ServiceConfig) =>
        new TenantDirectory(k, p, c, s, e, cfg.auth.cacheTtlMs, cfg.auth.staleAfterMs),
    },
    AuthLifecycle,
    GatewayAuthGuard,
    { provide: APP_GUARD, useExisting: GatewayAuthGuard },
  ],
  exports: [SecretBox, GatewayEventBus, TenantDirectory, GatewayAuthGuard],
})
export class AuthModule {}

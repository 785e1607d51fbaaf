import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RawRoutes } from '@switchyard/http';
import { GatewayClient, RequestLogger } from '@switchyard/routing';
import { ResponseStore } from './response-store.service';
import { responsesHandler } from './responses.endpoint';

/** Registers `POST /v1/responses` as a raw route (see responses.endpoint.ts) open to access keys. */
@Injectable()
export class ResponsesRoutes implements OnModuleInit {
  constructor(
    private readonly rawRoutes: RawRoutes,
    private readonly gateway: GatewayClient,
    private readonly directory: TenantDirectory,
    private readonly logger: RequestLogger,
    private readonly store: ResponseStore,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    const handler = responsesHandler({
      gateway: this.gateway,
      directory: this.directory,
      logger: this.logger,
      bodyLimitBytes: this.config.router.bodyLimitBytes,
      store: this.store,
    });
    this.rawRoutes.add('POST', '/v1/responses', { auth: 'key' }, handler);
  }
}

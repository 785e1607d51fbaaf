import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RawRoutes } from '@switchyard/http';
import { ChatRequestPreparation, GatewayClient, RequestLogger } from '@switchyard/routing';
import { chatCompletionsHandler } from './chat.endpoint';

/** Registers `POST /v1/chat/completions`, the hot path, as a raw route (see chat.endpoint.ts) open to access keys. */
@Injectable()
export class ChatRoutes implements OnModuleInit {
  constructor(
    private readonly rawRoutes: RawRoutes,
    private readonly gateway: GatewayClient,
    private readonly directory: TenantDirectory,
    private readonly logger: RequestLogger,
    private readonly preparation: ChatRequestPreparation,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    const handler = chatCompletionsHandler({
      gateway: this.gateway,
      directory: this.directory,
      logger: this.logger,
      preparation: this.preparation,
      bodyLimitBytes: this.config.router.bodyLimitBytes,
    });
    this.rawRoutes.add('POST', '/v1/chat/completions', { auth: 'key' }, handler);
  }
}

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RawRoutes } from '@switchyard/http';
import { GatewayClient, ModelCatalog, RequestLogger } from '@switchyard/routing';
import { COUNT_TOKENS_PATH, countTokensHandler, MESSAGES_PATH, messagesHandler } from './messages.endpoint';

/**
 * Registers Anthropic's `POST /v1/messages` and `POST /v1/messages/count_tokens` as raw routes open to access
 * keys (sent as `x-api-key`, as the Anthropic SDKs do, or as `Authorization: Bearer`), answering errors in
 * Anthropic's shape.
 */
@Injectable()
export class MessagesRoutes implements OnModuleInit {
  constructor(
    private readonly rawRoutes: RawRoutes,
    private readonly gateway: GatewayClient,
    private readonly directory: TenantDirectory,
    private readonly logger: RequestLogger,
    private readonly catalog: ModelCatalog,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    const { bodyLimitBytes } = this.config.router;
    const options = { auth: 'key', errors: 'anthropic' } as const;
    this.rawRoutes.add('POST', MESSAGES_PATH, options, messagesHandler({ gateway: this.gateway, directory: this.directory, logger: this.logger, bodyLimitBytes }));
    this.rawRoutes.add('POST', COUNT_TOKENS_PATH, options, countTokensHandler({ directory: this.directory, catalog: this.catalog, bodyLimitBytes }));
  }
}

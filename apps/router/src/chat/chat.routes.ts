import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GatewayAuthGuard, TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RawRoutes } from '@switchyard/http';
import { ChatRequestPreparation, GatewayClient, RequestLogger } from '@switchyard/routing';
import { chatCompletionsHandler } from './chat.endpoint';

/** Cloudflare's OpenAI-compatible endpoint of a gateway (docs/cloudflare-compat.md). */
export const COMPAT_CHAT_PATH = '/v1/:account/:gateway/compat/chat/completions';

/** Base URLs of other gateways whose SDKs then call our routes unchanged (docs/cloudflare-compat.md, "Other gateways' base URLs"). */
export const ROUTE_ALIASES: readonly { prefix: string; target: string }[] = [
  { prefix: '/llmops/api/genai/v1/', target: '/v1/' },
  { prefix: '/api/chat/completions', target: '/v1/chat/completions' },
];

/**
 * Registers `POST /v1/chat/completions`, the hot path, as a raw route (see chat.endpoint.ts) open to access keys; the
 * same handler behind a Cloudflare gateway's compat path, whose caller (a key of the gateway, or none when the gateway
 * has `authentication: false`) GatewayAuthGuard.gatewayCaller decides; and the other gateways' base URLs as aliases.
 */
@Injectable()
export class ChatRoutes implements OnModuleInit {
  constructor(
    private readonly rawRoutes: RawRoutes,
    private readonly gateway: GatewayClient,
    private readonly directory: TenantDirectory,
    private readonly logger: RequestLogger,
    private readonly auth: GatewayAuthGuard,
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
    // The caller is decided by the gateway in the path, so the route is public to RawRoutes and checked here.
    this.rawRoutes.add('POST', COMPAT_CHAT_PATH, { auth: 'public' }, async (req, res, { requestId, params }) => {
      const caller = await this.auth.gatewayCaller(req.headers, params['account']!, params['gateway']!);
      return handler(req, res, { requestId, principal: caller });
    });
    for (const { prefix, target } of ROUTE_ALIASES) this.rawRoutes.alias(prefix, target);
  }
}

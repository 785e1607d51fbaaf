import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { GatewayAuthGuard, TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { RawRoutes, readJsonBody } from '@switchyard/http';
import { GatewayClient, parseEndpointRequest, parseTranscriptionForm, RequestLogger, type JsonEndpointOperation } from '@switchyard/routing';
import { ENDPOINT_PATHS } from '@switchyard/types';
import { universalHandler } from '../universal/universal.endpoint';
import { registerProviderNativeRoutes } from '../cloudflare/provider-native.routes';
import { endpointHandler, type EndpointSpec } from './endpoint-edge';
import { readMultipartBody } from './multipart-body';

/** The universal endpoint's path, and Cloudflare's for a gateway (docs/cloudflare-compat.md). */
export const UNIVERSAL_PATH = '/v1/universal';
export const GATEWAY_UNIVERSAL_PATH = '/v1/:account(uuid)/:gateway';

/**
 * Registers the OpenAI endpoints besides chat as raw routes open to access keys: `/v1/embeddings`,
 * `/v1/completions`, `/v1/images/generations`, `/v1/audio/speech` (JSON bodies) and
 * `/v1/audio/transcriptions` (multipart, at most ROUTER_AUDIO_MAX_BYTES). One edge serves them all
 * (endpoint-edge.ts); they differ only in how the body is read. And `POST /v1/universal` (universal.endpoint.ts),
 * whose steps run these endpoints and chat, also on Cloudflare's path `POST /v1/{account_id}/{gateway_id}`; and Cloudflare's
 * provider-native paths (cloudflare/provider-native.routes.ts).
 */
@Injectable()
export class EndpointRoutes implements OnModuleInit {
  constructor(
    private readonly rawRoutes: RawRoutes,
    private readonly gateway: GatewayClient,
    private readonly directory: TenantDirectory,
    private readonly logger: RequestLogger,
    private readonly auth: GatewayAuthGuard,
    @Inject(APP_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onModuleInit(): void {
    const deps = { gateway: this.gateway, directory: this.directory, logger: this.logger, bodyLimitBytes: this.config.router.bodyLimitBytes };
    const { bodyLimitBytes, audioMaxBytes } = this.config.router;
    const json = (operation: JsonEndpointOperation): EndpointSpec => ({
      operation,
      read: async (req) => {
        const body = await readJsonBody(req, bodyLimitBytes);
        return { parsed: parseEndpointRequest(operation, body), body };
      },
    });
    const transcription: EndpointSpec = {
      operation: 'transcription',
      // The file is spooled to disk as it arrives (never held in memory): ROUTER_AUDIO_MAX_BYTES bounds it alone.
      read: async (req) => {
        const form = await readMultipartBody(req, audioMaxBytes);
        try {
          return { parsed: parseTranscriptionForm(form.parts), body: null, dispose: form.dispose };
        } catch (err) {
          await form.dispose();
          throw err;
        }
      },
    };
    for (const spec of [json('embeddings'), json('completions'), json('images'), json('speech'), transcription]) {
      this.rawRoutes.add('POST', ENDPOINT_PATHS[spec.operation], { auth: 'key' }, endpointHandler(deps, spec));
    }
    this.rawRoutes.add('POST', UNIVERSAL_PATH, { auth: 'key' }, universalHandler(deps, { path: UNIVERSAL_PATH }));
    // Cloudflare's universal endpoint of a gateway: the caller is decided by the gateway in the path (as for compat chat).
    const gatewayUniversal = universalHandler(deps, { path: GATEWAY_UNIVERSAL_PATH });
    this.rawRoutes.add('POST', GATEWAY_UNIVERSAL_PATH, { auth: 'public' }, async (req, res, { requestId, params }) => {
      const caller = await this.auth.gatewayCaller(req.headers, params['account']!, params['gateway']!);
      return gatewayUniversal(req, res, { requestId, principal: caller });
    });
    // Cloudflare's provider-native paths of a gateway, after its other paths.
    registerProviderNativeRoutes(this.rawRoutes, deps, this.auth);
  }
}

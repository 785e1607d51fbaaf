import type { GatewayAuthGuard } from '@switchyard/auth';
import type { RawRoutes } from '@switchyard/http';
import { invalidRequest } from '@switchyard/types';
import type { EdgeDeps } from '../edge/gateway-edge';
import { providerOfSlug } from './provider-config-view';
import { PROVIDER_NATIVE_PATH, providerNativeHandler } from './provider-native.endpoint';

/**
 * Registers Cloudflare's provider-native endpoints (`POST` and `GET /v1/{account_id}/{gateway_id}/{provider}/…`, tried
 * after the gateway's other paths): the provider slug is Cloudflare's or ours (`google-vertex-ai`, `grok`; `groq`,
 * `mistral`…), an unknown one a 400 naming it; the caller is decided by the gateway, the client's provider key never used.
 * Errors leave in Anthropic's shape on `/anthropic/…`, OpenAI's elsewhere.
 */
export function registerProviderNativeRoutes(rawRoutes: RawRoutes, deps: EdgeDeps, auth: GatewayAuthGuard): void {
  const handle = providerNativeHandler(deps);
  const anthropicPath = PROVIDER_NATIVE_PATH.replace(':provider', 'anthropic');
  for (const method of ['POST', 'GET']) {
    for (const path of [anthropicPath, PROVIDER_NATIVE_PATH]) {
      rawRoutes.add(method, path, { auth: 'public', errors: path === anthropicPath ? 'anthropic' : 'openai' }, async (req, res, { requestId, params }) => {
        const slug = params['provider'] ?? 'anthropic';
        const provider = providerOfSlug(slug);
        if (!provider || provider === 'local-ocr') {
          req.resume();
          throw invalidRequest(
            `Unknown provider '${slug}' in the path: this gateway serves openai, azure-openai, anthropic, google-ai-studio, google-vertex-ai, aws-bedrock, groq, mistral, deepseek, grok, openrouter, together, fireworks, ollama, vllm and openai-compatible.`,
            'provider',
            'unknown_provider',
          );
        }
        const caller = await auth.gatewayCaller(req.headers, params['account']!, params['gateway']!, true);
        const query = req.url?.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
        return handle(req, res, { requestId, caller, provider, path: `/${params['*']!}${query}` });
      });
    }
  }
}

import { writeJson } from '@switchyard/http';
import { parseUniversalSteps, runUniversalSteps } from '@switchyard/routing';
import { openAIStreamEncoder, sseData } from '../chat/sse';
import { GatewayEdge, type EdgeDeps, type EdgeHandler } from '../edge/gateway-edge';
import { writeSse } from '../edge/sse-writer';
import { writePassedThrough } from '../edge/pass-through';

/**
 * Cloudflare's universal endpoint: a body of steps `{provider, endpoint, headers, query, config}` run in order until
 * one succeeds (`parseUniversalSteps`, `runUniversalSteps` in libs/routing), each step a whole pipeline call; the
 * answer is the succeeding step's, with `x-gateway-step` / `cf-aig-step` its index. One edge (`GatewayEdge`: body,
 * project, log, disconnect, headers), so any path may serve it: `POST /v1/universal` here, the Cloudflare path
 * `/v1/{account_id}/{gateway_id}` with its own route and `path`.
 */
export function universalHandler(deps: EdgeDeps, route: { path: string }): EdgeHandler {
  const edge = new GatewayEdge(deps);
  return async (req, res, { requestId, principal }) => {
    if (principal.kind === 'admin') return; // the 'key' policy admits keys only; a gateway path brings its caller
    const origin = { requestId, path: route.path, requestType: 'universal' };
    const { project, body, parsed: steps } = await edge.accept(req, principal, origin, (body) => parseUniversalSteps(body, req.headers));
    const first = steps[0]!;
    // The record is begun with the first step's model and stream flag; the result names the provider and model that answered.
    const logged = first.kind === 'chat' ? first.request : first.request.body;
    const call = { origin, principal, project, request: logged, controls: first.controls, body };
    await edge.around(
      res,
      call,
      logged,
      (log, cancel) => runUniversalSteps(deps.gateway, principal, project, steps, cancel, log.attempts),
      async (result, headers, log, clientGone) => {
        headers['cf-aig-step'] = String(result.meta.step);
        if (result.kind === 'json' || result.kind === 'raw') return writePassedThrough(res, result, headers, log, clientGone, (error) => sseData(error.toBody()));
        if (result.kind === 'completion') {
          const text = JSON.stringify(result.completion);
          log.end({ statusCode: 200, errorCode: null, result, responseText: text });
          return writeJson(res, 200, headers, text);
        }
        const onEnd = (failure: { code: string } | null) => log.end({ statusCode: 200, errorCode: failure?.code ?? (clientGone.aborted ? 'client_disconnected' : null), result });
        const step = steps[result.meta.step]!;
        const includeUsage = step.kind === 'chat' && step.request.stream_options?.include_usage === true;
        await writeSse(res, headers, log.watch(result), openAIStreamEncoder(includeUsage), clientGone, onEnd);
      },
    );
  };
}

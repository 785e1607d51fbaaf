import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { requestIdFrom, type Metrics } from '@switchyard/telemetry';
import { GatewayError, type Principal } from '@switchyard/types';
import type { ErrorFamily } from '../errors/error-family';
import type { AuthPolicy, GuardedAuthPolicy } from '../route-auth/auth-policy';
import type { RawRouteAuthenticator } from './raw-route-authenticator';
import { writeError } from './raw-response';

/** What a raw route's handler is given besides the request and response. */
export interface RawRouteContext<P extends Principal | null = Principal> {
  requestId: string;
  /** The caller, authenticated by the route's policy before the handler runs; null on a public route. */
  principal: P;
  /** The values of the path's `:name` segments (empty for a path without any). */
  params: Readonly<Record<string, string>>;
}

/** A route served on the Node HTTP server itself: it owns the response from the first byte. */
export type RawHandler<P extends Principal | null = Principal> = (req: IncomingMessage, res: ServerResponse, ctx: RawRouteContext<P>) => Promise<void>;

type RawRoute = ({ policy: 'public'; handler: RawHandler<null> } | { policy: GuardedAuthPolicy; handler: RawHandler }) & { errors: ErrorFamily };

/** A route whose path has `:name` segments: matched segment by segment after the exact routes missed. */
interface PatternRoute {
  method: string;
  /** The path as added (the metrics' route label). */
  path: string;
  segments: readonly string[];
  route: RawRoute;
}

const pathOf = (url: string): string => {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

const UUID_CONSTRAINT = '(uuid)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A last segment `*` takes the rest of the path (one segment or more), handed as the param `*`. */
const WILDCARD = '*';

/**
 * The params of `path` under a pattern's segments (`:name` takes one non-empty segment, `:name(uuid)` one UUID, a last
 * `*` the rest), or null when it does not match.
 */
export function matchPattern(segments: readonly string[], path: string): Record<string, string> | null {
  const parts = path.split('/');
  const wildcard = segments[segments.length - 1] === WILDCARD;
  if (wildcard ? parts.length < segments.length : parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (segment === WILDCARD) {
      // The rest of the path, as sent (not decoded): `/v1/:account/:gateway/openai/*` hands `chat/completions`.
      const rest = parts.slice(i).join('/');
      if (!rest) return null;
      params[WILDCARD] = rest;
      break;
    }
    if (segment.startsWith(':')) {
      if (!part) return null;
      // `:name(uuid)` takes a UUID only, so that a pattern as wide as `/v1/:account(uuid)/:gateway` leaves `/v1/admin/…` alone.
      const uuidOnly = segment.endsWith(UUID_CONSTRAINT);
      if (uuidOnly && !UUID.test(part)) return null;
      try {
        params[uuidOnly ? segment.slice(1, -UUID_CONSTRAINT.length) : segment.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (segment !== part) return null;
  }
  return params;
}

/** How a raw route is served: who may call it, and the shape its errors take (default: the OpenAI shape). */
export interface RawRouteOptions<A extends AuthPolicy> {
  auth: A;
  errors?: ErrorFamily;
}

/**
 * Routes answered by the Node HTTP server directly, ahead of Fastify and Nest, for a service's hot path
 * (the router's `POST /v1/chat/completions`). Fastify's per-request machinery (routing, content-type
 * parser, child logger, hook chain, reply serialization) cost more CPU than the router's own work and
 * allocated enough to keep the garbage collector busy; a raw route keeps the house conventions here
 * instead: its auth policy (checked before the handler runs, so before the body is read), request ids
 * (`x-request-id` in and out), per-route metrics, 5xx logging, errors in the route family's shape and a 503 while the
 * server is closing. Every other route goes to Fastify unchanged.
 */
export class RawRoutes {
  private readonly routes = new Map<string, RawRoute>();
  private readonly patterns: PatternRoute[] = [];
  private readonly aliases: { prefix: string; target: string }[] = [];
  private closing = false;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly authenticator: RawRouteAuthenticator,
  ) {}

  /**
   * Serves `method path` with `handler`; the route names who may call it (`{ auth: 'public' }` for anyone) and,
   * for a route of another API family, the shape of its errors (`errors: 'anthropic'`). A path with `:name`
   * segments (`/v1/:account/:gateway/compat/chat/completions`) hands their values to the handler as `params`, a last
   * `*` segment the rest of the path as `params['*']`; it is tried only when no exact path matched, so exact routes pay
   * nothing for it.
   */
  add(method: string, path: string, options: RawRouteOptions<'public'>, handler: RawHandler<null>): void;
  add(method: string, path: string, options: RawRouteOptions<GuardedAuthPolicy>, handler: RawHandler): void;
  add(method: string, path: string, options: RawRouteOptions<AuthPolicy>, handler: RawHandler<null> | RawHandler): void {
    // The overloads pair each policy with its handler's type.
    const route = { policy: options.auth, handler, errors: options.errors ?? 'openai' } as RawRoute;
    if (path.includes('/:') || path.endsWith('/*')) {
      this.patterns.push({ method, path, segments: path.split('/'), route });
      // Patterns ending in `*` are tried after the others (a gateway's compat path before its provider paths).
      this.patterns.sort((a, b) => Number(a.path.endsWith('/*')) - Number(b.path.endsWith('/*')));
    }
    else this.routes.set(`${method} ${path}`, route);
  }

  /**
   * Serves every path under `prefix` as the same path under `target` (another product's base URL for ours, e.g.
   * `/llmops/api/genai/v1/` for `/v1/`): the request's URL is rewritten before routing, for raw and Fastify routes alike.
   */
  alias(prefix: string, target: string): void {
    this.aliases.push({ prefix, target });
  }

  /** From now on raw routes answer 503 (the server is draining), as Fastify's own routes do. */
  markClosing(): void {
    this.closing = true;
  }

  /** The server's request listener: a raw route when one matches, else `fallback` (Fastify). */
  listener(fallback: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (this.routes.size === 0 && this.patterns.length === 0 && this.aliases.length === 0) return fallback(req, res);
      const url = req.url ?? '/';
      let path = pathOf(url);
      const route = this.routes.get(`${req.method} ${path}`);
      if (route) return this.serve(route, path, NO_PARAMS, req, res);
      const alias = this.aliases.find((a) => path.startsWith(a.prefix));
      if (alias) {
        req.url = alias.target + url.slice(alias.prefix.length);
        path = pathOf(req.url);
        const aliased = this.routes.get(`${req.method} ${path}`);
        if (aliased) return this.serve(aliased, path, NO_PARAMS, req, res);
      }
      for (const pattern of this.patterns) {
        if (pattern.method !== req.method) continue;
        const params = matchPattern(pattern.segments, path);
        if (params) return this.serve(pattern.route, pattern.path, params, req, res);
      }
      fallback(req, res);
    };
  }

  private serve(route: RawRoute, path: string, params: Readonly<Record<string, string>>, req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    res.once('close', () => {
      const ms = performance.now() - started;
      this.metrics.observe(req.method ?? 'POST', path, res.statusCode, ms / 1000);
      if (res.statusCode >= 500) this.logger.warn({ reqId: requestId, method: req.method, route: path, status: res.statusCode, ms }, 'request failed');
    });
    if (this.closing) {
      res.setHeader('connection', 'close');
      writeError(res, requestId, new GatewayError(503, 'server_error', 'server_shutting_down', 'The server is shutting down; retry the request.'), this.logger, route.errors);
      return;
    }
    this.authenticateAndHandle(route, req, res, requestId, params).catch((err: unknown) => writeError(res, requestId, err, this.logger, route.errors));
  }

  private async authenticateAndHandle(route: RawRoute, req: IncomingMessage, res: ServerResponse, requestId: string, params: Readonly<Record<string, string>>): Promise<void> {
    if (route.policy === 'public') return route.handler(req, res, { requestId, principal: null, params });
    const principal = await this.authenticator.authenticate(route.policy, req.headers);
    return route.handler(req, res, { requestId, principal, params });
  }
}

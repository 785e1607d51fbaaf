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
}

/** A route served on the Node HTTP server itself: it owns the response from the first byte. */
export type RawHandler<P extends Principal | null = Principal> = (req: IncomingMessage, res: ServerResponse, ctx: RawRouteContext<P>) => Promise<void>;

type RawRoute = ({ policy: 'public'; handler: RawHandler<null> } | { policy: GuardedAuthPolicy; handler: RawHandler }) & { errors: ErrorFamily };

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
  private closing = false;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly authenticator: RawRouteAuthenticator,
  ) {}

  /**
   * Serves `method path` with `handler`; the route names who may call it (`{ auth: 'public' }` for anyone) and,
   * for a route of another API family, the shape of its errors (`errors: 'anthropic'`).
   */
  add(method: string, path: string, options: RawRouteOptions<'public'>, handler: RawHandler<null>): void;
  add(method: string, path: string, options: RawRouteOptions<GuardedAuthPolicy>, handler: RawHandler): void;
  add(method: string, path: string, options: RawRouteOptions<AuthPolicy>, handler: RawHandler<null> | RawHandler): void {
    // The overloads pair each policy with its handler's type.
    this.routes.set(`${method} ${path}`, { policy: options.auth, handler, errors: options.errors ?? 'openai' } as RawRoute);
  }

  /** From now on raw routes answer 503 (the server is draining), as Fastify's own routes do. */
  markClosing(): void {
    this.closing = true;
  }

  /** The server's request listener: a raw route when one matches, else `fallback` (Fastify). */
  listener(fallback: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      if (this.routes.size === 0) return fallback(req, res);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      const route = this.routes.get(`${req.method} ${path}`);
      if (!route) return fallback(req, res);
      this.serve(route, path, req, res);
    };
  }

  private serve(route: RawRoute, path: string, req: IncomingMessage, res: ServerResponse): void {
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
    this.authenticateAndHandle(route, req, res, requestId).catch((err: unknown) => writeError(res, requestId, err, this.logger, route.errors));
  }

  private async authenticateAndHandle(route: RawRoute, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if (route.policy === 'public') return route.handler(req, res, { requestId, principal: null });
    const principal = await this.authenticator.authenticate(route.policy, req.headers);
    return route.handler(req, res, { requestId, principal });
  }
}

import { randomUUID } from 'node:crypto';
import { Global, Inject, Logger, Module, type BeforeApplicationShutdown, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { GatewayEventBus, TenantDirectory } from '@switchyard/auth';
import { APP_CONFIG, type ServiceConfig } from '@switchyard/config';
import { createOutboundAgent } from '@switchyard/http';
import { LimitStore, LogAppender, type LimitCounter } from '@switchyard/metering';
import { createRedis, DlpProfilesRepository, DynamicRoutesRepository, LoadBalanceGroupsRepository, PersistenceModule, REDIS_CLIENT } from '@switchyard/persistence';
import { createAdapterRegistry } from '@switchyard/providers';
import { RedisChannel } from '@switchyard/queue';
import { Metrics } from '@switchyard/telemetry';
import type { Redis } from 'ioredis';
import { ModelCatalog } from './catalog/catalog';
import { Executor } from './executor';
import { asHealthMessage, TargetHealth, type HealthMessage } from './balance/target-health';
import { BreakerMetrics } from './balance/breaker-metrics';
import { LoadBalanceGroupDirectory } from './balance/load-balance-groups';
import { createImageFetcher } from './image-fetcher';
import { ResponseCache } from './cache/response-cache';
import { DlpProfileDirectory } from './dlp/dlp-profile-directory';
import { DynamicRouteDirectory } from './routes/dynamic-routes';
import { routeCostTicket, routeRateLimiter } from './routes/route-rate';
import { GatewayClient } from './pipeline/gateway-client';
import { GovernedExecution } from './pipeline/governed-execution';
import { priceCatalogOf, pricedAccounting } from './pipeline/accounting';
import { BudgetsReport } from './limits/budgets-report';
import { LimitsStage } from './pipeline/limits-stage';
import { LogMetrics } from './pipeline/log-metrics';
import { RequestLogger } from './pipeline/request-logger';
import { SpanExporter } from './spans/span-exporter';

/** At most one warn line per this many ms about dropped log records. */
const DROP_WARN_INTERVAL_MS = 10_000;

/**
 * The log appender over its own Redis connection (without auto-pipelining, so that each record's XADD is written
 * when it is appended); what it drops is counted and warned about (rate limited).
 */
function createLogAppender(c: ServiceConfig, metrics: LogMetrics | null): LogAppender {
  const redis = createRedis(c, `switchyard-${c.serviceName}-logs`, { enableAutoPipelining: false });
  const logger = new Logger('RequestLogs');
  let warnedAt = 0;
  let droppedSinceWarn = 0;
  let erroredAt = 0;
  const appender = new LogAppender({
    redis,
    prefix: c.redis.prefix,
    maxBuffered: c.logs.bufferMaxRecords,
    onDrop: (count) => {
      metrics?.droppedRecords(count);
      droppedSinceWarn += count;
      if (Date.now() - warnedAt < DROP_WARN_INTERVAL_MS) return;
      logger.warn(`Dropped ${droppedSinceWarn} request log record(s): the buffer of ${c.logs.bufferMaxRecords} is full (Redis unreachable?).`);
      warnedAt = Date.now();
      droppedSinceWarn = 0;
    },
    onError: (err) => {
      if (Date.now() - erroredAt < DROP_WARN_INTERVAL_MS) return;
      erroredAt = Date.now();
      logger.warn(`Could not append request log records to Redis (kept in the buffer): ${err instanceof Error ? err.message : String(err)}`);
    },
  });
  metrics?.trackBuffer(() => appender.buffered);
  return appender;
}

/**
 * The gateway's span exporter (null with OTEL_GATEWAY_SPANS=off): the collector's ingest stream over the shared
 * Redis client, the projects' `otel[]` targets through the SSRF-guarded outbound agent.
 */
function createSpanExporter(c: ServiceConfig, redis: Redis, metrics: LogMetrics | null): SpanExporter | null {
  if (c.otel.gatewaySpans === 'off') return null;
  const logger = new Logger('GatewaySpans');
  let warnedAt = 0;
  const exporter = new SpanExporter({
    redis,
    prefix: c.redis.prefix,
    highWater: c.collector.queueHighWater,
    source: { serviceName: c.otel.serviceName ?? `switchyard-${c.serviceName}` },
    dispatcher: createOutboundAgent({ allowPrivate: c.otel.allowPrivateUrls, connectTimeoutMs: 10_000 }),
    maxBuffered: c.otel.bufferMaxSpans,
    intervalMs: c.otel.exportIntervalMs,
    timeoutMs: c.otel.exportTimeoutMs,
    // The operator's own endpoint (OTEL_EXPORTER_OTLP_ENDPOINT, where the services' SDK traces go) gets the gateway's spans too.
    operatorTarget: c.otel.endpoint ? { url: `${c.otel.endpoint.replace(/\/+$/, '')}/v1/traces`, authorization: '', headers: {}, content_type: 'protobuf' } : null,
    onDrop: (count, reason) => metrics?.droppedSpans(count, reason),
    onError: (err, where) => {
      if (Date.now() - warnedAt < DROP_WARN_INTERVAL_MS) return;
      warnedAt = Date.now();
      logger.warn(`Could not export gateway spans to the ${where}: ${err instanceof Error ? err.message : String(err)}`);
    },
  });
  metrics?.trackSpans(() => exporter.buffered);
  return exporter;
}

/** Sends the held spans at shutdown. */
class SpanExporterCloser implements BeforeApplicationShutdown {
  constructor(@Inject(SpanExporter) private readonly exporter: SpanExporter | null) {}
  async beforeApplicationShutdown(): Promise<void> {
    await this.exporter?.close();
  }
}

/** Sends the buffered log records, then closes the appender's Redis connection. */
class LogAppenderCloser implements BeforeApplicationShutdown {
  constructor(@Inject(LogAppender) private readonly appender: LogAppender) {}
  async beforeApplicationShutdown(): Promise<void> {
    await this.appender.close();
    await this.appender.redis.quit().catch(() => this.appender.redis.disconnect());
  }
}

const TARGET_HEALTH_CHANNEL = Symbol('TARGET_HEALTH_CHANNEL');

/** The target health's channel: subscribed (and the open breakers read from Redis) at start, flushed and closed at shutdown. */
class TargetHealthLifecycle implements OnModuleInit, BeforeApplicationShutdown {
  constructor(
    @Inject(TargetHealth) private readonly health: TargetHealth,
    @Inject(TARGET_HEALTH_CHANNEL) private readonly channel: RedisChannel<HealthMessage>,
  ) {}
  async onModuleInit(): Promise<void> {
    await this.channel.start();
    await this.health.load();
  }
  async beforeApplicationShutdown(): Promise<void> {
    await this.health.close().catch(() => undefined);
    await this.channel.close();
  }
}

/** The exact response cache over the shared client; the waiters of streamed fills read on their own connections (at most 32). */
function createResponseCache(c: ServiceConfig, redis: Redis): ResponseCache {
  const connect = () => createRedis(c, `switchyard-${c.serviceName}-cache-live`, { enableAutoPipelining: false });
  return new ResponseCache({ redis, prefix: c.redis.prefix, ...c.router.cache, live: { connect, maxFeeds: 32 } });
}

class ResponseCacheCloser implements OnApplicationShutdown {
  constructor(@Inject(ResponseCache) private readonly cache: ResponseCache) {}
  onApplicationShutdown(): void {
    this.cache.close();
  }
}

class ExecutorCloser implements OnApplicationShutdown {
  constructor(@Inject(Executor) private readonly executor: Executor) {}
  async onApplicationShutdown(): Promise<void> {
    await this.executor.close();
  }
}

/** Provides the GatewayClient (the request pipeline, with its catalog, executor and prices) to the router and the documents worker. */
@Global()
@Module({
  imports: [PersistenceModule.forFeature([DlpProfilesRepository, DynamicRoutesRepository, LoadBalanceGroupsRepository])],
  providers: [
    { provide: ModelCatalog, useFactory: () => new ModelCatalog() },
    {
      provide: TARGET_HEALTH_CHANNEL,
      inject: [APP_CONFIG],
      useFactory: (c: ServiceConfig) => new RedisChannel<HealthMessage>(c, { name: 'target-health', connectionName: `switchyard-${c.serviceName}-health`, accept: asHealthMessage }),
    },
    {
      provide: TargetHealth,
      inject: [APP_CONFIG, REDIS_CLIENT, TARGET_HEALTH_CHANNEL],
      useFactory: (c: ServiceConfig, redis: Redis, channel: RedisChannel<HealthMessage>) => {
        const logger = new Logger('TargetHealth');
        return new TargetHealth({
          channel,
          redis,
          prefix: c.redis.prefix,
          replicaId: randomUUID(),
          onError: (err) => logger.warn(`Could not report target health: ${err instanceof Error ? err.message : String(err)}`),
        });
      },
    },
    TargetHealthLifecycle,
    {
      provide: BreakerMetrics,
      inject: [TargetHealth, { token: Metrics, optional: true }],
      useFactory: (health: TargetHealth, m: Metrics | undefined) => (m ? new BreakerMetrics(m.registry, health) : null),
    },
    {
      provide: Executor,
      inject: [APP_CONFIG, ModelCatalog, TargetHealth],
      useFactory: (c: ServiceConfig, catalog: ModelCatalog, health: TargetHealth) => {
        const fetchImage = createImageFetcher(c.router.images);
        const executor = new Executor({
          bodyIdleTimeoutMs: c.router.requestTimeoutMs,
          // Base URLs an organization set are checked after DNS on every connection (DNS rebinding does not help).
          ...(c.connections.allowPrivateBaseUrls ? {} : { untrustedDispatcher: createOutboundAgent({ allowPrivate: false, connectTimeoutMs: 10_000 }) }),
          adapters: createAdapterRegistry({ fetchImage }),
          account: pricedAccounting(priceCatalogOf(catalog)),
          health,
        });
        executor.onClose(() => fetchImage.close());
        return executor;
      },
    },
    ExecutorCloser,
    { provide: ResponseCache, inject: [APP_CONFIG, REDIS_CLIENT], useFactory: createResponseCache },
    ResponseCacheCloser,
    {
      provide: LogMetrics,
      inject: [{ token: Metrics, optional: true }],
      useFactory: (m: Metrics | undefined) => (m ? new LogMetrics(m.registry) : null),
    },
    {
      provide: LogAppender,
      inject: [APP_CONFIG, LogMetrics],
      useFactory: (c: ServiceConfig, metrics: LogMetrics | null) => createLogAppender(c, metrics),
    },
    LogAppenderCloser,
    {
      provide: SpanExporter,
      inject: [APP_CONFIG, REDIS_CLIENT, LogMetrics],
      useFactory: (c: ServiceConfig, redis: Redis, metrics: LogMetrics | null) => createSpanExporter(c, redis, metrics),
    },
    SpanExporterCloser,
    {
      provide: RequestLogger,
      inject: [LogAppender, APP_CONFIG, LogMetrics, SpanExporter],
      useFactory: (appender: LogAppender, c: ServiceConfig, metrics: LogMetrics | null, spans: SpanExporter | null) =>
        new RequestLogger(appender, c.logs.bodyMaxBytes, metrics, spans && c.otel.gatewaySpans !== 'off' ? { sink: spans, mode: c.otel.gatewaySpans } : null),
    },
    {
      provide: LimitStore,
      inject: [APP_CONFIG, REDIS_CLIENT],
      useFactory: (c: ServiceConfig, redis: Redis) => new LimitStore(redis, { timeoutMs: c.router.limitsTimeoutMs }),
    },
    {
      provide: LimitsStage,
      inject: [APP_CONFIG, LimitStore, ModelCatalog, TenantDirectory],
      useFactory: (c: ServiceConfig, store: LimitStore, catalog: ModelCatalog, directory: TenantDirectory) =>
        new LimitsStage({ store, directory, prices: priceCatalogOf(catalog), redisPrefix: c.redis.prefix }),
    },
    {
      provide: BudgetsReport,
      inject: [APP_CONFIG, LimitStore],
      useFactory: (c: ServiceConfig, store: LimitStore) => new BudgetsReport(store, c.redis.prefix),
    },
    {
      provide: GatewayClient,
      inject: [TenantDirectory, ModelCatalog, Executor, APP_CONFIG, ResponseCache, DlpProfileDirectory, LimitsStage, DynamicRouteDirectory, LimitStore, TargetHealth, LoadBalanceGroupDirectory],
      useFactory: (
        d: TenantDirectory,
        cat: ModelCatalog,
        e: Executor,
        c: ServiceConfig,
        cache: ResponseCache,
        dlp: DlpProfileDirectory,
        limits: LimitsStage,
        routes: DynamicRouteDirectory,
        store: LimitStore,
        health: TargetHealth,
        groups: LoadBalanceGroupDirectory,
      ) => {
        const governed = new GovernedExecution(cache, (org) => dlp.detectorsOf(org));
        const settleLogger = new Logger('RouteRate');
        const costTicket = (holds: readonly LimitCounter[]) =>
          routeCostTicket(store, holds, (err) => settleLogger.warn(`Could not settle a route's cost limit: ${err instanceof Error ? err.message : String(err)}`));
        const routing = { directory: routes, deps: { random: Math.random, rate: routeRateLimiter(store, c.redis.prefix), costTicket } };
        return new GatewayClient(d, cat, e, c, [limits], governed, routing, { random: Math.random, score: (key) => health.score(key), groups });
      },
    },
    {
      provide: DynamicRouteDirectory,
      inject: [DynamicRoutesRepository, GatewayEventBus],
      useFactory: (r: DynamicRoutesRepository, events: GatewayEventBus) => new DynamicRouteDirectory(r, events),
    },
    {
      provide: LoadBalanceGroupDirectory,
      inject: [LoadBalanceGroupsRepository, GatewayEventBus],
      useFactory: (r: LoadBalanceGroupsRepository, events: GatewayEventBus) => new LoadBalanceGroupDirectory(r, events),
    },
    {
      provide: DlpProfileDirectory,
      inject: [DlpProfilesRepository, GatewayEventBus],
      useFactory: (r: DlpProfilesRepository, events: GatewayEventBus) => new DlpProfileDirectory(r, events),
    },
  ],
  exports: [GatewayClient, ModelCatalog, RequestLogger, BudgetsReport, SpanExporter, TargetHealth],
})
export class RoutingModule {}

import { Logger } from '@nestjs/common';
import { ClientRedis, ServerRedis } from '@nestjs/microservices';
import { redisOptionsFromUrl, type AppConfig } from '@switchyard/config';
import { lastValueFrom } from 'rxjs';

/** Cross-service change events: every process of every service evicts what they name. */
export type GatewayEvent =
  | { type: 'key.revoked'; keyHash: string }
  | { type: 'project.changed'; organizationId: string; projectId: string }
  | { type: 'connections.changed'; organizationId: string }
  | { type: 'organization.changed'; organizationId: string };

export type GatewayEventHandler = (event: GatewayEvent) => void;

/**
 * Publishes and receives GatewayEvents over the @nestjs/microservices Redis transport, on one channel
 * under REDIS_PREFIX. Handlers run locally at publish time too, so the publishing process never waits
 * for its own echo. `onResync` fires when the subscription reconnects: events may have been missed.
 */
export class GatewayEventBus {
  private readonly logger = new Logger('GatewayEventBus');
  private readonly channel: string;
  private readonly client: ClientRedis;
  private readonly server: ServerRedis;
  private readonly handlers = new Set<GatewayEventHandler>();
  private readonly resyncHandlers = new Set<() => void>();
  private started = false;
  private lostConnection = false;

  constructor(config: Pick<AppConfig, 'redis'>) {
    this.channel = `${config.redis.prefix}:gateway-events`;
    const redis = {
      ...redisOptionsFromUrl(config.redis.url),
      retryAttempts: Number.MAX_SAFE_INTEGER,
      retryDelay: 250,
      lazyConnect: false,
    };
    this.client = new ClientRedis(redis);
    this.server = new ServerRedis(redis);
    this.server.addHandler(
      this.channel,
      async (data: GatewayEvent) => {
        this.dispatch(data);
      },
      true,
    );
    this.server.status.subscribe((status) => {
      if (status === 'reconnecting' || status === 'disconnected') this.lostConnection = true;
      if (status === 'connected' && this.lostConnection) {
        this.lostConnection = false;
        this.logger.warn('event subscription reconnected; dropping caches');
        for (const h of this.resyncHandlers) h();
      }
    });
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await new Promise<void>((resolve, reject) =>
      this.server.listen((err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())),
    );
    await this.client.connect();
  }

  onEvent(handler: GatewayEventHandler): void {
    this.handlers.add(handler);
  }

  onResync(handler: () => void): void {
    this.resyncHandlers.add(handler);
  }

  async publish(event: GatewayEvent): Promise<void> {
    this.dispatch(event);
    await lastValueFrom(this.client.emit(this.channel, event), { defaultValue: undefined });
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.client.close(), this.server.close()]);
  }

  private dispatch(event: GatewayEvent): void {
    for (const h of this.handlers) {
      try {
        h(event);
      } catch (err) {
        this.logger.error(`event handler failed: ${(err as Error).message}`);
      }
    }
  }
}

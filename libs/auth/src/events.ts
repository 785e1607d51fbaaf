import type { AppConfig } from '@switchyard/config';
import { RedisChannel } from '@switchyard/queue';

/** Cross-service change events: every process of every service evicts what they name. */
export type GatewayEvent =
  | { type: 'key.revoked'; keyHash: string }
  | { type: 'key.changed'; keyHash: string }
  | { type: 'project.changed'; organizationId: string; projectId: string }
  | { type: 'connections.changed'; organizationId: string }
  | { type: 'organization.changed'; organizationId: string }
  | { type: 'dlp-profiles.changed'; organizationId: string }
  | { type: 'routes.changed'; organizationId: string; projectId: string }
  | { type: 'configs.changed'; organizationId: string; projectId: string }
  | { type: 'prompts.changed'; organizationId: string; projectId: string }
  | { type: 'load-balance-groups.changed'; organizationId: string; projectId: string };

export type GatewayEventHandler = (event: GatewayEvent) => void;

const EVENT_TYPES = new Set<string>([
  'key.revoked',
  'key.changed',
  'project.changed',
  'connections.changed',
  'organization.changed',
  'dlp-profiles.changed',
  'routes.changed',
  'configs.changed',
  'prompts.changed',
  'load-balance-groups.changed',
]);
const asGatewayEvent = (m: unknown): GatewayEvent | null =>
  typeof m === 'object' && m !== null && EVENT_TYPES.has((m as { type?: string }).type ?? '') ? (m as GatewayEvent) : null;

/**
 * GatewayEvents over the `gateway-events` Redis channel. Handlers run locally at publish time too, so
 * the publishing process never waits for its own echo. `onResync` fires when the subscription
 * reconnects: events may have been missed, so caches drop everything.
 */
export class GatewayEventBus {
  private readonly channel: RedisChannel<GatewayEvent>;

  constructor(config: Pick<AppConfig, 'redis'>) {
    this.channel = new RedisChannel(config, { name: 'gateway-events', connectionName: 'switchyard-gateway-events', accept: asGatewayEvent });
  }

  start(): Promise<void> {
    return this.channel.start();
  }

  onEvent(handler: GatewayEventHandler): void {
    this.channel.subscribe(handler);
  }

  onResync(handler: () => void): void {
    this.channel.onResync(handler);
  }

  async publish(event: GatewayEvent): Promise<void> {
    this.channel.dispatch(event);
    await this.channel.publish(event);
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}

import type { GatewayEvent, GatewayEventBus } from '@switchyard/auth';

/** Entries expire after this long even without an event (DESIGN.md section 3: stale at most 30 s). */
const TTL_MS = 30_000;

/**
 * What a project holds in one table family (configs, prompts), loaded on the project's first request that needs it,
 * dropped on the family's change event (every replica), on a project or organization change, on a resync of the
 * event channel, and after 30 s. A failed load is not kept.
 */
export class ProjectCache<T> {
  private readonly cache = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly load: (projectId: string) => Promise<T>,
    event: Extract<GatewayEvent, { projectId: string }>['type'],
    events: Pick<GatewayEventBus, 'onEvent' | 'onResync'>,
    private readonly now: () => number = Date.now,
  ) {
    events.onEvent((e) => {
      if ('projectId' in e && (e.type === event || e.type === 'project.changed')) this.cache.delete(e.projectId);
      else if (e.type === 'organization.changed') this.cache.clear();
    });
    events.onResync(() => this.cache.clear());
  }

  get(projectId: string): Promise<T> {
    let entry = this.cache.get(projectId);
    if (!entry || this.now() - entry.at > TTL_MS) {
      const value = this.load(projectId);
      entry = { at: this.now(), value };
      this.cache.set(projectId, entry);
      value.catch(() => {
        if (this.cache.get(projectId)?.value === value) this.cache.delete(projectId);
      });
    }
    return entry.value;
  }
}

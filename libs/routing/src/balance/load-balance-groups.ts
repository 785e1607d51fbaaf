import type { GatewayEventBus } from '@switchyard/auth';
import type { LoadBalanceGroupsRepository } from '@switchyard/persistence';
import type { BalanceGroupSource } from './balance-plan';
import type { BalanceGroup } from './load-balance';

/** Entries expire after this long even without an event (DESIGN.md section 3: stale at most 30 s). */
const TTL_MS = 30_000;

/**
 * The saved load-balance groups of each project, in memory, by id and by name: loaded on a project's first request
 * naming a `group_id`, dropped on `load-balance-groups.changed` (every replica), on a resync and after 30 s.
 */
export class LoadBalanceGroupDirectory implements BalanceGroupSource {
  private readonly cache = new Map<string, { at: number; groups: Promise<Map<string, BalanceGroup>> }>();

  constructor(
    private readonly repository: Pick<LoadBalanceGroupsRepository, 'list'>,
    events: Pick<GatewayEventBus, 'onEvent' | 'onResync'>,
    private readonly now: () => number = Date.now,
  ) {
    events.onEvent((e) => {
      if (e.type === 'load-balance-groups.changed' || e.type === 'project.changed') this.cache.delete(e.projectId);
      else if (e.type === 'organization.changed') this.cache.clear();
    });
    events.onResync(() => this.cache.clear());
  }

  async groupOf(projectId: string, idOrName: string): Promise<BalanceGroup | undefined> {
    let entry = this.cache.get(projectId);
    if (!entry || this.now() - entry.at > TTL_MS) {
      const groups = this.load(projectId);
      entry = { at: this.now(), groups };
      this.cache.set(projectId, entry);
      groups.catch(() => this.cache.delete(projectId));
    }
    return (await entry.groups).get(idOrName);
  }

  private async load(projectId: string): Promise<Map<string, BalanceGroup>> {
    const byKey = new Map<string, BalanceGroup>();
    for (const g of await this.repository.list(projectId)) {
      const group: BalanceGroup = { id: g.name, strategy: g.strategy, stickyKey: g.stickyKey, members: g.models };
      byKey.set(g.id, group);
      byKey.set(g.name, group);
    }
    return byKey;
  }
}

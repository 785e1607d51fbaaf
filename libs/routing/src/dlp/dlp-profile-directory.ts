import type { GatewayEventBus } from '@switchyard/auth';
import type { DlpProfilesRepository } from '@switchyard/persistence';
import { BUILT_IN_DETECTORS, regexDetector, type DlpDetector } from './detectors';
import type { DetectorLookup } from './dlp-stage';

/** What a custom profile is made of (the stored row's fields). */
export interface CustomProfile {
  id: string;
  name: string;
  patterns: string[];
  caseSensitive: boolean;
}

/** A custom profile's detector: its patterns (validated on save), entries `pattern_<i>`, placeholder from its name (`Employee ID` -> `[EMPLOYEE_ID]`). */
export function customDetector(profile: CustomProfile): DlpDetector {
  const flags = profile.caseSensitive ? 'g' : 'gi';
  const placeholder = `[${profile.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '') || 'REDACTED'}]`;
  return regexDetector(
    profile.id,
    placeholder,
    profile.patterns.map((source, i) => ({ id: `pattern_${i}`, pattern: new RegExp(source, flags) })),
  );
}

/**
 * The detectors an organization's DLP policies may name: the built-ins, and its custom profiles, loaded once
 * per organization and held in memory until `dlp-profiles.changed` (or a resync of the event channel) drops them.
 * Only projects with DLP policies ask, so a project without DLP never reads the table.
 */
export class DlpProfileDirectory {
  private readonly cache = new Map<string, Promise<DetectorLookup>>();

  constructor(
    private readonly profiles: Pick<DlpProfilesRepository, 'list'>,
    events: Pick<GatewayEventBus, 'onEvent' | 'onResync'>,
  ) {
    events.onEvent((e) => {
      if (e.type === 'dlp-profiles.changed' || e.type === 'organization.changed') this.cache.delete(e.organizationId);
    });
    events.onResync(() => this.cache.clear());
  }

  detectorsOf(organizationId: string): Promise<DetectorLookup> {
    let found = this.cache.get(organizationId);
    if (!found) {
      found = this.load(organizationId);
      this.cache.set(organizationId, found);
      found.catch(() => this.cache.delete(organizationId));
    }
    return found;
  }

  private async load(organizationId: string): Promise<DetectorLookup> {
    const custom = new Map((await this.profiles.list(organizationId)).map((p) => [p.id, customDetector(p)]));
    return (id) => BUILT_IN_DETECTORS.get(id) ?? custom.get(id);
  }
}

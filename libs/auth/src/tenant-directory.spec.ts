import type { AccessKeyEntity, AccessKeysRepository, ConnectionsRepository, ProjectsRepository } from '@switchyard/persistence';
import { GatewayError } from '@switchyard/types';
import { generateAccessKey } from './access-key';
import type { GatewayEvent, GatewayEventBus } from './events';
import type { SecretBox } from './secret-box';
import { TenantDirectory } from './tenant-directory';

const TTL = 30_000;
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function setup() {
  const { key, hash } = generateAccessKey();
  const row = {
    id: 'key-1',
    organizationId: 'org-1',
    projectId: 'project-1',
    admin: false,
    keyHash: hash,
    expiresAt: null,
    revokedAt: null,
  } as unknown as AccessKeyEntity;
  const db = { down: false, silent: false, calls: 0, error: refused as () => Error };
  const keysRepo = {
    findByHash: async () => {
      db.calls++;
      if (db.silent) return new Promise(() => undefined); // a partition: the query never answers
      if (db.down) throw db.error();
      return row;
    },
    touch: async () => undefined,
  } as unknown as AccessKeysRepository;
  let emit: (e: GatewayEvent) => void = () => undefined;
  let resync: () => void = () => undefined;
  const events = {
    onEvent: (h: (e: GatewayEvent) => void) => (emit = h),
    onResync: (h: () => void) => (resync = h),
  } as unknown as GatewayEventBus;
  const directory = new TenantDirectory(keysRepo, {} as ProjectsRepository, {} as ConnectionsRepository, {} as SecretBox, events, TTL);
  return { key, hash, directory, db, emit: (e: GatewayEvent) => emit(e), resync: () => resync() };
}

const statusOf = (p: Promise<unknown>) => p.then(() => 200, (err: unknown) => (err instanceof GatewayError ? err.status : 500));

describe('TenantDirectory stale-if-error', () => {
  it('serves the last known key past the cache TTL while PostgreSQL is unreachable, and asks again once it is back', async () => {
    const { key, directory, db } = setup();
    const t0 = Date.now();
    expect((await directory.authenticate(key, t0)).projectId).toBe('project-1');
    db.down = true;
    expect((await directory.authenticate(key, t0 + 2 * TTL)).keyId).toBe('key-1');
    expect((await directory.authenticate(key, t0 + 10 * TTL)).keyId).toBe('key-1');
    expect(db.calls).toBe(3);
    db.down = false;
    await directory.authenticate(key, t0 + 11 * TTL);
    expect(db.calls).toBe(4);
  });

  it('serves the last known key within AUTH_STALE_AFTER_MS when PostgreSQL is silent, not after the query timeout', async () => {
    const { key, directory, db } = setup();
    const t0 = Date.now();
    await directory.authenticate(key, t0);
    db.silent = true;
    const started = Date.now();
    expect((await directory.authenticate(key, t0 + 2 * TTL)).keyId).toBe('key-1');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('never serves a revoked key: the revocation event evicts it, and with PostgreSQL down the lookup is a 503', async () => {
    const { key, hash, directory, db, emit } = setup();
    const t0 = Date.now();
    await directory.authenticate(key, t0);
    db.down = true;
    emit({ type: 'key.revoked', keyHash: hash });
    expect(await statusOf(directory.authenticate(key, t0 + 1))).toBe(503);
    expect(await statusOf(directory.authenticate(key, t0 + 2 * TTL))).toBe(503);
  });

  it("evicts a project's keys when the project changes (a deleted gateway's keys stop at once on every replica)", async () => {
    const { key, directory, db, emit } = setup();
    const t0 = Date.now();
    await directory.authenticate(key, t0);
    emit({ type: 'project.changed', organizationId: 'org-1', projectId: 'project-2' });
    await directory.authenticate(key, t0 + 1);
    expect(db.calls).toBe(1); // another project's change keeps the cached key
    emit({ type: 'project.changed', organizationId: 'org-1', projectId: 'project-1' });
    await directory.authenticate(key, t0 + 2);
    expect(db.calls).toBe(2); // asked again: a key of a deleted project is then refused
  });

  it('drops stale entries on resync (events may have been missed)', async () => {
    const { key, directory, db, resync } = setup();
    const t0 = Date.now();
    await directory.authenticate(key, t0);
    db.down = true;
    resync();
    expect(await statusOf(directory.authenticate(key, t0 + 2 * TTL))).toBe(503);
  });

  it('answers 503 for a key never seen, and does not mask errors that are answers (bad SQL, constraint)', async () => {
    const { key, directory, db } = setup();
    db.down = true;
    expect(await statusOf(directory.authenticate(key))).toBe(503);
    const { key: key2, directory: directory2, db: db2 } = setup();
    const t0 = Date.now();
    await directory2.authenticate(key2, t0);
    db2.down = true;
    db2.error = () => Object.assign(new Error('syntax error'), { code: '42601' });
    expect(await statusOf(directory2.authenticate(key2, t0 + 2 * TTL))).toBe(500);
  });
});

describe('TenantDirectory.projectBySlug', () => {
  const PROJECT_UUID = '0190c0de-0000-7000-8000-000000000001';
  const row = { id: PROJECT_UUID, organizationId: 'org-1', slug: 'support', name: 'Support', retentionDays: 30, isDefault: false };
  const projectsRepo = {
    findBySlug: async (_org: string, slug: string) => (slug === 'support' ? row : null),
    findById: async (_org: string, id: string) => (id === PROJECT_UUID ? row : null),
    findDefault: async () => null,
    quotasOf: async () => ({ monthlyRequests: null, monthlySpendUsd: null }),
  } as unknown as ProjectsRepository;
  const events = { onEvent: () => undefined, onResync: () => undefined } as unknown as GatewayEventBus;
  const directory = () => new TenantDirectory({} as AccessKeysRepository, projectsRepo, {} as ConnectionsRepository, {} as SecretBox, events, TTL);

  it('finds a project by its slug, and by its UUID for callers that stored it', async () => {
    expect((await directory().projectBySlug('org-1', 'support')).id).toBe(PROJECT_UUID);
    expect((await directory().projectBySlug('org-1', PROJECT_UUID)).slug).toBe('support');
  });

  it('answers 404 naming the parameter for an unknown slug or UUID', async () => {
    const other = '0190c0de-0000-7000-8000-000000000002';
    await expect(directory().projectBySlug('org-1', 'sales', 'x-gateway-project')).rejects.toMatchObject({ status: 404, param: 'x-gateway-project' });
    await expect(directory().projectBySlug('org-1', other, 'x-gateway-project')).rejects.toMatchObject({ status: 404, param: 'x-gateway-project' });
  });

  it('answers a name found missing from memory (no query) until the project changes or the negative entry expires', async () => {
    let queries = 0;
    let created = false;
    let emit: (e: GatewayEvent) => void = () => undefined;
    const repo = {
      findBySlug: async (_org: string, slug: string) => {
        queries++;
        return slug === 'support' || (created && slug === 'sales') ? { ...row, slug } : null;
      },
      findById: async () => null,
      quotasOf: async () => ({ monthlyRequests: null, monthlySpendUsd: null }),
    } as unknown as ProjectsRepository;
    const bus = { onEvent: (h: (e: GatewayEvent) => void) => (emit = h), onResync: () => undefined } as unknown as GatewayEventBus;
    const dir = new TenantDirectory({} as AccessKeysRepository, repo, {} as ConnectionsRepository, {} as SecretBox, bus, TTL);
    for (let i = 0; i < 20; i++) await expect(dir.projectBySlug('org-1', 'sales', 'gateway_id')).rejects.toMatchObject({ status: 404, param: 'gateway_id' });
    expect(queries).toBe(1);
    // Each answer names the caller's parameter, not the first one's.
    await expect(dir.projectBySlug('org-1', 'sales', 'x-gateway-project')).rejects.toMatchObject({ param: 'x-gateway-project' });
    // Another organization's name is its own entry.
    await expect(dir.projectBySlug('org-2', 'sales')).rejects.toMatchObject({ status: 404 });
    expect(queries).toBe(2);
    // Created: the project.changed event evicts the negative entry, on this replica and every other.
    created = true;
    emit({ type: 'project.changed', organizationId: 'org-1', projectId: PROJECT_UUID });
    expect((await dir.projectBySlug('org-1', 'sales')).slug).toBe('sales');
    expect(queries).toBe(3);
  });

  it('forgets a missing name after the negative TTL', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      let queries = 0;
      const repo = { findBySlug: async () => (queries++, null), findById: async () => null } as unknown as ProjectsRepository;
      const dir = new TenantDirectory({} as AccessKeysRepository, repo, {} as ConnectionsRepository, {} as SecretBox, events, TTL);
      await expect(dir.projectBySlug('org-1', 'nope')).rejects.toMatchObject({ status: 404 });
      await expect(dir.projectBySlug('org-1', 'nope')).rejects.toMatchObject({ status: 404 });
      expect(queries).toBe(1);
      jest.setSystemTime(Date.now() + 5_001);
      await expect(dir.projectBySlug('org-1', 'nope')).rejects.toMatchObject({ status: 404 });
      expect(queries).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });
});

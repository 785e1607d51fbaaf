/** Who may administer what: the admin token (everything) or an org key with `admin` (its organization). */
export type AdminScope = { kind: 'root' } | { kind: 'organization'; organizationId: string };

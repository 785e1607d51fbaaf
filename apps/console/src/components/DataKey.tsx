import { updateSession, useSession } from '../lib/session';

/** The access key data-plane calls use (an organization admin key signs in as one; the admin token cannot). */
export function DataKeyField() {
  const { dataKey } = useSession();
  return (
    <label className="datakey">
      Access key for these calls{' '}
      <input
        type="password"
        autoComplete="off"
        placeholder="sy_… (create one on the Keys page)"
        value={dataKey ?? ''}
        onChange={(e) => updateSession({ dataKey: e.target.value.trim() || null })}
      />
    </label>
  );
}

import type { GatewayEvent } from '@switchyard/auth';
import { customDetector, DlpProfileDirectory, type CustomProfile } from './dlp-profile-directory';

const profile = (patterns: string[], caseSensitive = true): CustomProfile => ({ id: 'p1', name: 'Employee ID', patterns, caseSensitive });

describe('custom DLP profiles', () => {
  it('match their patterns, case-insensitively when asked, with a placeholder from the name', () => {
    const d = customDetector(profile(['EMP-\\d{6}', 'STAFF-\\d{3}']));
    expect(d.placeholder).toBe('[EMPLOYEE_ID]');
    expect(d.find('EMP-123456 STAFF-001 emp-654321').map((m) => m.entry)).toEqual(['pattern_0', 'pattern_1']);
    expect(customDetector(profile(['EMP-\\d{6}'], false)).find('emp-654321')).toHaveLength(1);
  });

  it('are loaded once per organization, beside the built-ins, and dropped on dlp-profiles.changed and resync', async () => {
    let handler: (e: GatewayEvent) => void = () => undefined;
    let resync: () => void = () => undefined;
    const rows = [{ ...profile(['EMP-\\d{6}']) }];
    const list = jest.fn(async () => rows);
    const dir = new DlpProfileDirectory({ list } as never, { onEvent: (h) => (handler = h), onResync: (h) => (resync = h) });
    const lookup = await dir.detectorsOf('org-1');
    expect(lookup('p1')?.placeholder).toBe('[EMPLOYEE_ID]');
    expect(lookup('email')?.placeholder).toBe('[EMAIL]');
    expect(lookup('nope')).toBeUndefined();
    await dir.detectorsOf('org-1');
    expect(list).toHaveBeenCalledTimes(1);
    handler({ type: 'dlp-profiles.changed', organizationId: 'org-1' });
    await dir.detectorsOf('org-1');
    expect(list).toHaveBeenCalledTimes(2);
    resync();
    await dir.detectorsOf('org-1');
    expect(list).toHaveBeenCalledTimes(3);
  });
});

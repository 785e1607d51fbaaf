import { DLP_BUILT_IN_PROFILES } from '@switchyard/types';
import { BUILT_IN_DETECTORS, BUILT_IN_PROFILE_IDS, ibanValid, luhnValid } from './detectors';

const found = (profile: string, text: string) => BUILT_IN_DETECTORS.get(profile)!.find(text).map((m) => text.slice(m.start, m.end));

const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEAx4Jd0Kf1mGk8', 'ZrT5VQ==', '-----END RSA PRIVATE KEY-----'].join('\n');
const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';

describe('DLP detectors', () => {
  it('are exactly the profiles the settings schema accepts', () => {
    expect([...BUILT_IN_PROFILE_IDS].sort()).toEqual([...DLP_BUILT_IN_PROFILES].sort());
  });

  it('Luhn: valid and invalid card numbers', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('378282246310005')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
  });

  it('IBAN: mod-97 valid and invalid', () => {
    expect(ibanValid('GB82 WEST 1234 5698 7654 32')).toBe(true);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(ibanValid('DE89 3704')).toBe(false);
  });

  it.each([
    ['email', 'write to a.b+c@example.co.uk today', ['a.b+c@example.co.uk']],
    ['email', 'user at example dot com, @example.com, a@b', []],
    ['phone', 'call +1 415 555 2671 or (415) 555-2671 or +442071838750', ['+1 415 555 2671', '(415) 555-2671', '+442071838750']],
    ['phone', 'order 12345, on 2024-01-15, version 1.2.3', []],
    ['credit_card', 'card 4111 1111 1111 1111 and 5500-0000-0000-0004', ['4111 1111 1111 1111', '5500-0000-0000-0004']],
    ['credit_card', 'card 4111 1111 1111 1112 (bad checksum), id 1234567890', []],
    ['iban', 'pay GB82 WEST 1234 5698 7654 32 or DE89370400440532013000', ['GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000']],
    ['iban', 'pay GB82WEST12345698765433 please', []],
    ['us_ssn', 'ssn 123-45-6789', ['123-45-6789']],
    ['us_ssn', 'not 000-12-3456, 666-12-3456, 123-00-4567, 123-45-0000 or 1234-56-7890', []],
    ['ip_address', 'hosts 192.168.1.20 and 2001:db8::1', ['192.168.1.20', '2001:db8::1']],
    ['ip_address', 'not 999.1.1.1, 1.2.3, 10:30 or v1.2.3.4.5', []],
    [
      'api_key',
      'AKIAIOSFODNN7EXAMPLE sk-proj-abcdefghijklmnopqrstuvwxyz123456 ghp_abcdefghijklmnopqrstuvwxyz0123456789 AIzaSyA1234567890abcdefghijklmnopqrstuv',
      ['AKIAIOSFODNN7EXAMPLE', 'sk-proj-abcdefghijklmnopqrstuvwxyz123456', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
    ],
    ['api_key', 'AKIA123 sk-short ghp_short AIza-short task-force', []],
    ['private_key', `key:\n${PEM}\nend`, [PEM]],
    ['private_key', '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----', []],
    ['jwt', `Bearer ${JWT}`, [JWT]],
    ['jwt', 'eyJub3QiOiJqd3QifQ.eyJhIjoxfQ.abc (no alg), eyJhbGc.only', []],
  ])('%s finds in %j: %j', (profile, text, expected) => {
    expect(found(profile, text)).toEqual(expected);
  });

  it('names the entry that matched (api_key shapes, ip versions)', () => {
    const entries = BUILT_IN_DETECTORS.get('api_key')!.find('AKIAIOSFODNN7EXAMPLE ghp_abcdefghijklmnopqrstuvwxyz0123456789').map((m) => m.entry);
    expect(entries).toEqual(['aws_access_key', 'github_token']);
    expect(BUILT_IN_DETECTORS.get('ip_address')!.find('::1 and 10.0.0.1').map((m) => m.entry)).toEqual(['ipv4', 'ipv6']);
  });
});

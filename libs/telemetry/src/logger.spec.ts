import { maskSecrets } from './logger';

describe('maskSecrets', () => {
  const key = `sy_${'Ab3'.repeat(16)}`;

  it('masks access keys and bearer credentials wherever they are in a line', () => {
    const line = JSON.stringify({ msg: `bad key ${key}`, busboyOptions: { headers: { authorization: `Bearer ${key}`, 'x-other': 'Bearer some-admin-token' } } });
    const out = maskSecrets(line);
    expect(out).not.toContain(key);
    expect(out).not.toContain('some-admin-token');
    expect(out).toContain('Bearer [redacted]');
    expect(out).toContain('sy_[redacted]');
  });

  it('leaves lines without secrets as they are', () => {
    const line = '{"level":30,"msg":"request","preview":"sy_Ab3A…b3Ab"}';
    expect(maskSecrets(line)).toBe(line);
  });
});

import { checkOutboundUrl, OutboundUrlError, parseOutboundUrl } from './outbound-url';

const resolveTo = (...addresses: string[]) => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('outbound URLs', () => {
  it.each([
    ['invalid', 'not a url'],
    ['scheme', 'file:///etc/passwd'],
    ['scheme', 'gopher://example.com/'],
    ['credentials', 'https://user:pw@example.com/'],
  ])('refuses a %s URL', (problem, url) => {
    expect(() => parseOutboundUrl(url)).toThrow(expect.objectContaining({ name: 'OutboundUrlError', problem }));
  });

  it('checks every resolved address, not the name', async () => {
    const check = (allowPrivate: boolean, resolve: ReturnType<typeof resolveTo>) => checkOutboundUrl('https://hooks.example.com/x', { allowPrivate, resolve });
    await expect(check(false, resolveTo('93.184.216.34', '10.0.0.5'))).rejects.toMatchObject({ problem: 'private' });
    await expect(check(false, resolveTo('93.184.216.34'))).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(check(true, resolveTo('10.0.0.5'))).resolves.toHaveLength(1);
    await expect(check(false, resolveTo())).rejects.toMatchObject({ problem: 'unresolvable' });
    await expect(check(false, () => Promise.reject(new Error('ENOTFOUND')))).rejects.toBeInstanceOf(OutboundUrlError);
  });

  it('checks IP literals without resolving them', async () => {
    const resolve = jest.fn(resolveTo('93.184.216.34'));
    await expect(checkOutboundUrl('http://[::1]:8080/', { allowPrivate: false, resolve })).rejects.toMatchObject({ problem: 'private' });
    await expect(checkOutboundUrl('http://8.8.8.8/', { allowPrivate: false, resolve })).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
    expect(resolve).not.toHaveBeenCalled();
  });
});

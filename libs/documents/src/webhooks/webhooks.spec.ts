import { createHmac } from 'node:crypto';
import { webhookBackoff } from './webhook-backoff';
import { isPrivateAddress } from '@switchyard/types';
import { checkOutboundUrl } from './url-guard';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signature', () => {
  it('is t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")> and verifies', () => {
    const body = '{"id":"x"}';
    const header = signWebhook('whsec_test', body, 1700000000);
    const mac = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(header).toBe(`t=1700000000,v1=${mac}`);
    expect(verifyWebhook('whsec_test', body, header, 300, 1700000010_000)).toBe(true);
    expect(verifyWebhook('whsec_other', body, header, 300, 1700000010_000)).toBe(false);
    expect(verifyWebhook('whsec_test', body + ' ', header, 300, 1700000010_000)).toBe(false);
    expect(verifyWebhook('whsec_test', body, header, 300, 1700001000_000)).toBe(false); // too old
  });
});

describe('outbound URL guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fc00::1', '::ffff:127.0.0.1', '0.0.0.0', '100.64.0.1'])(
    'treats %s as private',
    (ip) => expect(isPrivateAddress(ip)).toBe(true),
  );

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'])('treats %s as public', (ip) => expect(isPrivateAddress(ip)).toBe(false));

  it('checks the resolved addresses, not the name', async () => {
    const resolveTo = (address: string) => async () => [{ address, family: 4 }];
    await expect(checkOutboundUrl('https://hooks.example.com/x', false, resolveTo('10.0.0.5'))).rejects.toMatchObject({ code: 'webhook_url_forbidden' });
    await expect(checkOutboundUrl('https://hooks.example.com/x', false, resolveTo('93.184.216.34'))).resolves.toHaveLength(1);
    await expect(checkOutboundUrl('https://hooks.example.com/x', true, resolveTo('10.0.0.5'))).resolves.toHaveLength(1);
    await expect(checkOutboundUrl('ftp://example.com/', true, resolveTo('93.184.216.34'))).rejects.toMatchObject({ code: 'webhook_url_forbidden' });
  });

  it('backs off exponentially and stops after the maximum age', () => {
    const day = 24 * 3600 * 1000;
    expect([1, 2, 3, 4].map((n) => webhookBackoff(10_000, day, n, 0, 0))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(webhookBackoff(10_000, day, 20, 0, 0)).toBe(3600_000);
    expect(webhookBackoff(10_000, day, 20, 0, day - 1000)).toBe(-1);
  });
});

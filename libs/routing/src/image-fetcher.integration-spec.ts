import { TEST_GIF, TestImageServer } from '@switchyard/testing';
import { createImageFetcher } from './image-fetcher';

describe('the router image fetcher', () => {
  const images = new TestImageServer();
  beforeAll(() => images.start());
  afterAll(() => images.stop());
  const fetcher = (over: Partial<Parameters<typeof createImageFetcher>[0]> = {}) =>
    createImageFetcher({ maxBytes: 1024, timeoutMs: 2000, allowPrivateUrls: true, caPem: images.caPem, ...over });

  it('fetches an https image (trusting the configured CA) and follows a redirect', async () => {
    const f = fetcher();
    expect(await f(`${images.url}/image.gif`)).toEqual({ mediaType: 'image/gif', data: TEST_GIF.toString('base64') });
    expect(await f(`${images.url}/redirect`)).toEqual({ mediaType: 'image/gif', data: TEST_GIF.toString('base64') });
    await f.close();
  });

  it.each([
    ['a private address unless allowed', '/image.gif', { allowPrivateUrls: false }, /private address/],
    ['an untrusted certificate', '/image.gif', { caPem: null }, /could not be fetched/],
    ['a body past the byte cap', '/huge', {}, /larger than 1024 bytes/],
    ['something that is not an image', '/not-an-image', {}, /did not return an image/],
    ['an HTTP error', '/missing', {}, /HTTP 404/],
  ])('refuses %s with a 400 naming messages', async (_what, path, over, message) => {
    const f = fetcher(over);
    await expect(f(`${images.url}${path}`)).rejects.toMatchObject({ name: 'UnsupportedParameterError', param: 'messages', message: expect.stringMatching(message) });
    await f.close();
  });

  it('refuses other schemes, credentials, private IP literals and host names resolving to private addresses before sending anything', async () => {
    images.requests.length = 0;
    const f = fetcher({ allowPrivateUrls: false });
    await expect(f('file:///etc/passwd')).rejects.toThrow(/scheme/);
    await expect(f('https://user:pw@example.com/a.png')).rejects.toThrow(/credentials/);
    await expect(f('http://169.254.169.254/latest/meta-data')).rejects.toThrow(/private address/);
    await expect(f('http://[::ffff:127.0.0.1]/a.png')).rejects.toThrow(/private address/);
    // A host name is checked in the connection's own DNS lookup (no second lookup to rebind).
    await expect(f(`${images.url.replace('127.0.0.1', 'localhost')}/image.gif`)).rejects.toThrow(/private address/);
    expect(images.requests).toEqual([]);
    await f.close();
  });
});

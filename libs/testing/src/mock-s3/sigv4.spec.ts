import { verifySigV4, type SignedRequest } from './sigv4';

// The example signature calculations of the S3 API reference ("Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk"), with AWS's example credentials.
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const NOW = Date.UTC(2013, 4, 24);
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const secrets = (id: string) => (id === KEY ? SECRET : undefined);

function request(method: string, target: string, headers: Record<string, string>, signed: string, signature: string): SignedRequest {
  const [rawPath, rawQuery = ''] = target.split('?');
  return {
    method,
    rawPath: rawPath!,
    rawQuery,
    headers: {
      host: 'examplebucket.s3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      ...headers,
      authorization: `AWS4-HMAC-SHA256 Credential=${KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signed},Signature=${signature}`,
    },
  };
}

const EXAMPLES: [string, SignedRequest][] = [
  [
    'GET Object (a Range header)',
    request('GET', '/test.txt', { range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY }, 'host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'),
  ],
  [
    'PUT Object (an encoded key, a Date header, a storage class)',
    request(
      'PUT',
      '/test%24file.text',
      { date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY', 'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072' },
      'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
      '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
    ),
  ],
  ['GET Bucket Lifecycle (a value-less subresource)', request('GET', '/?lifecycle', { 'x-amz-content-sha256': EMPTY }, 'host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543')],
  ['GET Bucket (List Objects, sorted query)', request('GET', '/?max-keys=2&prefix=J', { 'x-amz-content-sha256': EMPTY }, 'host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7')],
];

describe('SigV4 verification (the S3 API reference examples)', () => {
  it.each(EXAMPLES)('accepts the documented signature of %s', (_name, req) => {
    expect(verifySigV4(req, secrets, 'us-east-1', NOW)).toMatchObject({ ok: true, accessKeyId: KEY });
  });

  it('refuses the same requests signed with another secret, or altered after signing', () => {
    const [, get] = EXAMPLES[0]!;
    expect(verifySigV4(get, () => `${SECRET}x`, 'us-east-1', NOW)).toMatchObject({ ok: false, status: 403, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4({ ...get, headers: { ...get.headers, range: 'bytes=0-99' } }, secrets, 'us-east-1', NOW)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    expect(verifySigV4({ ...get, rawPath: '/test2.txt' }, secrets, 'us-east-1', NOW)).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('names the cause: unknown key, wrong region, clock skew, unsigned x-amz-* header, no signature', () => {
    const [, get] = EXAMPLES[0]!;
    expect(verifySigV4(get, () => undefined, 'us-east-1', NOW)).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    expect(verifySigV4(get, secrets, 'eu-west-1', NOW)).toMatchObject({ status: 400, code: 'AuthorizationHeaderMalformed' });
    expect(verifySigV4(get, secrets, 'us-east-1', NOW + 16 * 60 * 1000)).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
    expect(verifySigV4({ ...get, headers: { ...get.headers, 'x-amz-meta-owner': 'me' } }, secrets, 'us-east-1', NOW)).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(verifySigV4({ ...get, headers: { host: 'examplebucket.s3.amazonaws.com' } }, secrets, 'us-east-1', NOW)).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

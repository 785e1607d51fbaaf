import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { verifySigV4 } from './sigv4';

export interface MockS3Options {
  accessKeyId?: string;
  secretAccessKey?: string;
  region?: string;
  /** Buckets that exist from the start. */
  buckets?: string[];
}

export interface MockS3Object {
  body: Buffer;
  contentType: string;
  etag: string;
}

export interface MockS3Request {
  method: string;
  bucket: string | null;
  key: string | null;
  operation: string;
  status: number;
}

interface Upload {
  bucket: string;
  key: string;
  contentType: string;
  parts: Map<number, { body: Buffer; etag: string }>;
}

const MIN_PART = 5 * 1024 * 1024;
const MAX_KEYS = 1000;

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const xmlUnescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
const tagValues = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => xmlUnescape(m[1]!));
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>';
const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const md5 = (b: Buffer) => createHash('md5').update(b).digest();

/**
 * A protocol-faithful S3 endpoint for tests (path-style addressing): every request must carry a valid AWS
 * Signature Version 4 (`./sigv4.ts`, AWS's reference algorithm), the body must match its signed
 * `x-amz-content-sha256`, `Content-MD5` and `x-amz-checksum-crc32` are checked, and errors are S3's XML with
 * S3's codes and statuses. Operations: HeadBucket, CreateBucket, ListObjectsV2 (paged), PutObject, GetObject,
 * HeadObject, DeleteObject, DeleteObjects, and multipart uploads (create, part, complete, abort, with S3's
 * 5 MiB minimum for all but the last part). Streaming (aws-chunked) payloads are answered 501.
 */
export class MockS3Server {
  readonly requests: MockS3Request[] = [];
  private readonly buckets = new Map<string, Map<string, MockS3Object>>();
  private readonly uploads = new Map<string, Upload>();
  readonly region: string;
  readonly accessKeyId: string;
  /** Changeable mid-test: a rotated secret makes the clients still signing with the old one fail. */
  secretAccessKey: string;

  private constructor(
    private readonly server: Server,
    options: MockS3Options,
  ) {
    this.region = options.region ?? 'us-east-1';
    this.accessKeyId = options.accessKeyId ?? 'AKIAMOCKS3TESTKEY000';
    this.secretAccessKey = options.secretAccessKey ?? 'mock-s3-secret-key-for-tests-only';
    for (const b of options.buckets ?? []) this.buckets.set(b, new Map());
  }

  static async start(options: MockS3Options = {}): Promise<MockS3Server> {
    const server = createServer();
    const mock = new MockS3Server(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void mock.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return mock;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Keys of `bucket` (under `prefix`), sorted. */
  keys(bucket: string, prefix = ''): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])].filter((k) => k.startsWith(prefix)).sort();
  }

  object(bucket: string, key: string): MockS3Object | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Multipart uploads started and neither completed nor aborted. */
  openUploads(bucket: string): string[] {
    return [...this.uploads.values()].filter((u) => u.bucket === bucket).map((u) => u.key);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const [, bucketPart = '', ...keyParts] = rawPath.split('/');
    const bucket = bucketPart ? decodeURIComponent(bucketPart) : null;
    const key = keyParts.length && keyParts.join('/') ? decodeURIComponent(keyParts.join('/')) : null;
    const record: MockS3Request = { method: req.method ?? 'GET', bucket, key, operation: 'Unknown', status: 200 };
    this.requests.push(record);
    try {
      const auth = verifySigV4({ method: record.method, rawPath, rawQuery, headers: req.headers }, (id) => (id === this.accessKeyId ? this.secretAccessKey : undefined), this.region);
      if (!auth.ok) {
        req.resume();
        throw new S3Error(auth.status, auth.code, auth.message);
      }
      const body = await readBody(req);
      checkPayload(req, body, auth.payloadHash);
      const answer = this.route(record, bucket, key, query, req, body);
      record.status = answer.status ?? 200;
      res.writeHead(record.status, { 'x-amz-request-id': randomUUID(), ...answer.headers });
      res.end(record.method === 'HEAD' ? undefined : answer.body);
    } catch (err) {
      const e = err instanceof S3Error ? err : new S3Error(500, 'InternalError', String(err));
      record.status = e.status;
      const xml = `${XML_HEAD}<Error><Code>${e.code}</Code><Message>${xmlEscape(e.message)}</Message><RequestId>${randomUUID()}</RequestId></Error>`;
      res.writeHead(e.status, { 'content-type': 'application/xml', 'x-amz-request-id': randomUUID() });
      res.end(record.method === 'HEAD' ? undefined : xml);
    }
  }

  private route(
    record: MockS3Request,
    bucket: string | null,
    key: string | null,
    query: URLSearchParams,
    req: IncomingMessage,
    body: Buffer,
  ): { status?: number; headers?: Record<string, string>; body?: Buffer | string } {
    const m = record.method;
    const op = (name: string) => (record.operation = name);
    if (!bucket) throw new S3Error(501, 'NotImplemented', 'ListBuckets is not implemented by this mock.');
    if (!key) {
      if (m === 'PUT' && !query.size) {
        op('CreateBucket');
        if (this.buckets.has(bucket)) throw new S3Error(409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.');
        this.buckets.set(bucket, new Map());
        return { headers: { location: `/${bucket}` } };
      }
      const objects = this.bucket(bucket);
      if (m === 'HEAD') return op('HeadBucket'), {};
      if (m === 'GET' && query.get('list-type') === '2') return op('ListObjectsV2'), this.list(bucket, objects, query);
      if (m === 'POST' && query.has('delete')) return op('DeleteObjects'), this.deleteMany(objects, req, body);
      throw new S3Error(501, 'NotImplemented', `${m} on a bucket with ?${query.toString()} is not implemented by this mock.`);
    }
    const objects = this.bucket(bucket);
    const uploadId = query.get('uploadId');
    if (m === 'POST' && query.has('uploads')) {
      op('CreateMultipartUpload');
      const id = randomUUID().replace(/-/g, '');
      this.uploads.set(id, { bucket, key, contentType: header(req, 'content-type') ?? 'binary/octet-stream', parts: new Map() });
      return xml(`<InitiateMultipartUploadResult ${NS}><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`);
    }
    if (uploadId !== null) {
      const upload = this.uploads.get(uploadId);
      if (!upload || upload.bucket !== bucket || upload.key !== key) {
        throw new S3Error(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.');
      }
      if (m === 'PUT') {
        op('UploadPart');
        const n = Number(query.get('partNumber'));
        if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new S3Error(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
        const etag = `"${md5(body).toString('hex')}"`;
        upload.parts.set(n, { body, etag });
        return { headers: { etag } };
      }
      if (m === 'DELETE') {
        op('AbortMultipartUpload');
        this.uploads.delete(uploadId);
        return { status: 204 };
      }
      if (m === 'POST') {
        op('CompleteMultipartUpload');
        const numbers = tagValues(body.toString('utf8'), 'PartNumber').map(Number);
        const etags = tagValues(body.toString('utf8'), 'ETag');
        if (!numbers.length) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
        const chosen = numbers.map((n, i) => {
          const part = upload.parts.get(n);
          if (!part || part.etag !== etags[i]) throw new S3Error(400, 'InvalidPart', 'One or more of the specified parts could not be found.');
          if (i > 0 && n <= numbers[i - 1]!) throw new S3Error(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
          if (i < numbers.length - 1 && part.body.length < MIN_PART) throw new S3Error(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
          return part;
        });
        const whole = Buffer.concat(chosen.map((p) => p.body));
        const etag = `"${createHash('md5').update(Buffer.concat(chosen.map((p) => md5(p.body)))).digest('hex')}-${chosen.length}"`;
        objects.set(key, { body: whole, contentType: upload.contentType, etag });
        this.uploads.delete(uploadId);
        return xml(`<CompleteMultipartUploadResult ${NS}><Bucket>${xmlEscape(bucket)}</Bucket><Key>${xmlEscape(key)}</Key><ETag>${xmlEscape(etag)}</ETag></CompleteMultipartUploadResult>`);
      }
    }
    if (m === 'PUT' && !query.has('partNumber')) {
      op('PutObject');
      const etag = `"${md5(body).toString('hex')}"`;
      objects.set(key, { body, contentType: header(req, 'content-type') ?? 'binary/octet-stream', etag });
      return { headers: { etag } };
    }
    if (m === 'GET' || m === 'HEAD') {
      op(m === 'GET' ? 'GetObject' : 'HeadObject');
      const o = objects.get(key);
      if (!o) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
      return { headers: { 'content-type': o.contentType, 'content-length': String(o.body.length), etag: o.etag }, body: o.body };
    }
    if (m === 'DELETE') {
      op('DeleteObject');
      objects.delete(key);
      return { status: 204 };
    }
    throw new S3Error(501, 'NotImplemented', `${m} on an object is not implemented by this mock.`);
  }

  private bucket(name: string): Map<string, MockS3Object> {
    const b = this.buckets.get(name);
    if (!b) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist');
    return b;
  }

  private list(bucket: string, objects: Map<string, MockS3Object>, query: URLSearchParams) {
    const prefix = query.get('prefix') ?? '';
    const max = Math.min(Number(query.get('max-keys') ?? MAX_KEYS), MAX_KEYS);
    const after = query.get('continuation-token') ? Buffer.from(query.get('continuation-token')!, 'base64url').toString('utf8') : (query.get('start-after') ?? '');
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const page = keys.slice(0, max);
    const truncated = keys.length > page.length;
    const contents = page
      .map((k) => `<Contents><Key>${xmlEscape(k)}</Key><ETag>${xmlEscape(objects.get(k)!.etag)}</ETag><Size>${objects.get(k)!.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
      .join('');
    const next = truncated ? `<NextContinuationToken>${Buffer.from(page[page.length - 1]!).toString('base64url')}</NextContinuationToken>` : '';
    return xml(
      `<ListBucketResult ${NS}><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`,
    );
  }

  private deleteMany(objects: Map<string, MockS3Object>, req: IncomingMessage, body: Buffer) {
    if (!header(req, 'content-md5') && !Object.keys(req.headers).some((h) => h.startsWith('x-amz-checksum-'))) {
      throw new S3Error(400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
    }
    const text = body.toString('utf8');
    const keys = tagValues(text, 'Key');
    if (keys.length > 1000) throw new S3Error(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    for (const k of keys) objects.delete(k);
    const quiet = tagValues(text, 'Quiet')[0] === 'true';
    return xml(`<DeleteResult ${NS}>${quiet ? '' : keys.map((k) => `<Deleted><Key>${xmlEscape(k)}</Key></Deleted>`).join('')}</DeleteResult>`);
  }
}

function xml(body: string) {
  return { headers: { 'content-type': 'application/xml' }, body: XML_HEAD + body };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The body against its signed SHA-256, its Content-MD5 and its CRC32 checksum, as S3 checks them. */
function checkPayload(req: IncomingMessage, body: Buffer, payloadHash: string): void {
  if (payloadHash.startsWith('STREAMING-')) throw new S3Error(501, 'NotImplemented', 'aws-chunked (streaming) payloads are not implemented by this mock.');
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && createHash('sha256').update(body).digest('hex') !== payloadHash) {
    throw new S3Error(400, 'XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const contentMd5 = header(req, 'content-md5');
  if (contentMd5 && md5(body).toString('base64') !== contentMd5) throw new S3Error(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
  const crc = header(req, 'x-amz-checksum-crc32');
  if (crc) {
    const actual = Buffer.alloc(4);
    actual.writeUInt32BE(crc32(body) >>> 0);
    if (actual.toString('base64') !== crc) throw new S3Error(400, 'BadDigest', 'The CRC32 you specified did not match the calculated checksum.');
  }
}

import type { BedrockCredentials } from '@switchyard/types';
import type { UpstreamRequest } from '../types';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
}

/** The connection's credentials as the SigV4 signer names them. */
export function awsCredentials(c: BedrockCredentials): AwsCredentials {
  return { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key, region: c.region, sessionToken: c.session_token };
}

/**
 * SigV4 (service `bedrock`) over the exact URL, headers and body that will be sent. The signer is loaded on the
 * first Bedrock request: processes without a Bedrock connection never load it.
 */
export async function signRequest(req: UpstreamRequest, creds: AwsCredentials, now?: Date): Promise<UpstreamRequest> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Sha256 } = require('@aws-crypto/sha256-js') as typeof import('@aws-crypto/sha256-js');
  const { SignatureV4 } = require('@smithy/signature-v4') as typeof import('@smithy/signature-v4');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const url = new URL(req.url);
  const signer = new SignatureV4({
    service: 'bedrock',
    region: creds.region,
    sha256: Sha256,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...req.headers, host: url.host },
      body: req.body,
    },
    now ? { signingDate: now } : undefined,
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k.toLowerCase() !== 'host') headers[k.toLowerCase()] = String(v);
  return { url: req.url, headers, body: req.body };
}

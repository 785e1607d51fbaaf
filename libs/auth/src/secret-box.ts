import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from '@switchyard/config';

const VERSION = 'v1';

/**
 * AES-256-GCM envelope for secrets at rest: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts),
 * a random 96-bit IV per secret, and the row id as associated data so a sealed value cannot be
 * moved to another row. Old master keys stay able to open values until they are re-sealed.
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly current: MasterKey,
    previous: MasterKey[] = [],
  ) {
    if (current.key.length !== 32) throw new Error('master key must be 32 bytes');
    this.keys = new Map([...previous.map((k) => [k.id, k.key] as const), [current.id, current.key]]);
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(associatedData));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, this.current.id, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string, associatedData: string): string {
    const [version, keyId, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !keyId || !iv || !tag || ct === undefined) throw new Error('sealed secret is malformed');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`sealed with unknown master key id '${keyId}'`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  static keyIdOf(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }
}

/** A recognisable but useless view of a secret: `sk-p…x9Q2`. Short secrets show only their length class. */
export function previewSecret(secret: string): string {
  if (secret.length >= 16) return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
  if (secret.length >= 8) return `…${secret.slice(-2)}`;
  return '…';
}

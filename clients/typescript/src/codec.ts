// Parcours' payload codec in TypeScript (docs/codec.md): what parcours/temporal/codec.py does,
// with Node's crypto, so an API layer in another language reads and writes the same payloads.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto'; // CommonJS: its namespaces hang off the default export

export const ENCODING = 'binary/encrypted';
export const KEY_ID = 'encryption-key-id';
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

const PayloadMessage = proto.temporal.api.common.v1.Payload;
const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A key ring: the first key encrypts, every key decrypts (older keys stay for older histories). */
export interface KeyRing {
  activeKeyId: string;
  keys: Map<string, Buffer>;
}

/** PARCOURS_PAYLOAD_KEYS: "id:base64key,id:base64key", the active key first (parcours/settings.py). */
export function parseKeyRing(setting: string): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const pair of setting.split(',')) {
    const trimmed = pair.trim();
    const colon = trimmed.indexOf(':'); // the first colon: ids hold none, base64 never does
    const keyId = colon < 0 ? trimmed : trimmed.slice(0, colon);
    const key = Buffer.from(colon < 0 ? '' : trimmed.slice(colon + 1), 'base64');
    if (!keyId || ![16, 24, 32].includes(key.length)) {
      throw new Error('PARCOURS_PAYLOAD_KEYS must be "id:base64key" pairs (128, 192 or 256-bit keys)');
    }
    keys.set(keyId, key);
  }
  const activeKeyId = keys.keys().next().value as string;
  return { activeKeyId, keys };
}

function cipherName(key: Buffer): 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm' {
  return `aes-${key.length * 8}-gcm` as 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm';
}

/** The bytes AES-GCM seals: the serialized Payload protobuf. Empty data is left out, as the
 * Python protobuf runtime does, so both write the very same bytes (docs/codec-test-vectors.json). */
export function serialize(payload: Payload): Uint8Array {
  const canonical: Payload = { metadata: payload.metadata ?? {} };
  if (payload.data && payload.data.length > 0) canonical.data = payload.data;
  return PayloadMessage.encode(canonical).finish();
}

export class ParcoursCodec implements PayloadCodec {
  // newNonce is a parameter for the test vectors only; production draws 12 random bytes each time.
  constructor(
    private readonly ring: KeyRing,
    private readonly newNonce: () => Buffer = () => randomBytes(NONCE_BYTES),
  ) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  encrypt(payload: Payload): Payload {
    const key = this.ring.keys.get(this.ring.activeKeyId) as Buffer;
    const nonce = this.newNonce();
    const cipher = createCipheriv(cipherName(key), key, nonce, { authTagLength: TAG_BYTES });
    const sealed = Buffer.concat([nonce, cipher.update(serialize(payload)), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8.encode(ENCODING), [KEY_ID]: utf8.encode(this.ring.activeKeyId) },
      data: sealed,
    };
  }

  decrypt(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding;
    if (!encoding || text.decode(encoding) !== ENCODING) return payload; // written before encryption was on
    const keyIdBytes = payload.metadata?.[KEY_ID];
    const keyId = keyIdBytes ? text.decode(keyIdBytes) : '';
    const key = this.ring.keys.get(keyId);
    if (!key) throw new Error(`payload encrypted with unknown key id ${JSON.stringify(keyId)}`);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('encrypted payload too short');
    const decipher = createDecipheriv(cipherName(key), key, sealed.subarray(0, NONCE_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    return PayloadMessage.decode(plain);
  }
}

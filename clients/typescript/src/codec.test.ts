// The codec against docs/codec-test-vectors.json, the vectors tests/test_codec_vectors.py checks
// Parcours' own codec against: both languages write and read the same bytes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Payload } from '@temporalio/common';
import { ENCODING, KEY_ID, ParcoursCodec, parseKeyRing, serialize } from './codec.js';

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}
interface Vector {
  name: string;
  value: unknown;
  key_ring: string;
  key_id: string;
  key: string;
  nonce: string;
  plaintext_payload: JsonPayload;
  plaintext_serialized: string;
  encoded_payload: JsonPayload;
  expect?: 'refused';
}

const vectorsFile = new URL('../../../docs/codec-test-vectors.json', import.meta.url);
const vectors: Vector[] = JSON.parse(readFileSync(vectorsFile, 'utf-8')).cases;
const bytes = (base64: string) => Buffer.from(base64, 'base64');
const text = (data: Uint8Array | null | undefined) => Buffer.from(data ?? []).toString('utf-8');

function payloadOf(json: JsonPayload): Payload {
  const metadata = Object.fromEntries(Object.entries(json.metadata).map(([k, v]) => [k, bytes(v)]));
  return json.data ? { metadata, data: bytes(json.data) } : { metadata };
}

function same(actual: Payload, expected: Payload): void {
  const keys = (p: Payload) => Object.keys(p.metadata ?? {}).sort();
  assert.deepEqual(keys(actual), keys(expected));
  for (const key of keys(expected)) assert.equal(text(actual.metadata?.[key]), text(expected.metadata?.[key]));
  assert.equal(Buffer.from(actual.data ?? []).toString('base64'), Buffer.from(expected.data ?? []).toString('base64'));
}

test('the vectors are there: a string, a model, null, a rotated older key, a tampered payload', () => {
  assert.equal(vectors.length, 5);
});

for (const vector of vectors) {
  test(`${vector.name}: the inner payload is the value as Temporal's JSON converter writes it`, () => {
    const plain = payloadOf(vector.plaintext_payload);
    assert.equal(Buffer.from(serialize(plain)).toString('base64'), vector.plaintext_serialized);
    const encoding = text(plain.metadata?.encoding);
    if (vector.value === null) {
      assert.equal(encoding, 'binary/null');
    } else {
      assert.equal(encoding, 'json/plain');
      // Parcours writes compact JSON in the model's field order, as JSON.stringify does.
      assert.equal(text(plain.data), JSON.stringify(vector.value));
    }
  });

  if (vector.expect !== 'refused') {
    test(`${vector.name}: encoded with its key and nonce, to the exact bytes`, async () => {
      const ring = parseKeyRing(`${vector.key_id}:${vector.key}`);
      const [sealed] = await new ParcoursCodec(ring, () => bytes(vector.nonce)).encode([payloadOf(vector.plaintext_payload)]);
      same(sealed, payloadOf(vector.encoded_payload));
      assert.equal(text(sealed.metadata?.encoding), ENCODING);
      assert.equal(text(sealed.metadata?.[KEY_ID]), vector.key_id);
    });
  }

  test(`${vector.name}: decoded with the key ring ${vector.expect === 'refused' ? 'refused' : 'to the plaintext'}`, async () => {
    const codec = new ParcoursCodec(parseKeyRing(vector.key_ring));
    const sealed = payloadOf(vector.encoded_payload);
    if (vector.expect === 'refused') {
      await assert.rejects(codec.decode([sealed]), /auth/i);
      return;
    }
    const [plain] = await codec.decode([sealed]);
    same(plain, payloadOf(vector.plaintext_payload));
  });
}

test('a payload written before encryption was on is passed through', async () => {
  const plain = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('"x"') };
  const [decoded] = await new ParcoursCodec(parseKeyRing(vectors[0].key_ring)).decode([plain]);
  assert.equal(decoded, plain);
});

test('a random nonce by default: the same payload never encrypts twice alike', async () => {
  const codec = new ParcoursCodec(parseKeyRing(vectors[0].key_ring));
  const plain = payloadOf(vectors[0].plaintext_payload);
  const [a, b] = await codec.encode([plain, plain]);
  assert.notEqual(Buffer.from(a.data ?? []).toString('hex'), Buffer.from(b.data ?? []).toString('hex'));
  same((await codec.decode([a]))[0], plain);
});

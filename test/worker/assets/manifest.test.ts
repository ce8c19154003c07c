// Tests (Node): models/manifest.json is complete and well formed, and the loader rejects bad ones.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { MODEL_VARIANTS } from '../../../src-worker/protocol/messages.ts';
import { assetsFor, loadManifest, parseManifest, parseVariant } from '../../../src-worker/assets/manifest.ts';

const VOICE_COUNT = 54;
const VOICE_BYTES = 510 * 256 * 4;
const INT8_SHA256 = '6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb';
const INT8_BYTES = 92_361_271;

const rawManifest = (): unknown => JSON.parse(readFileSync(new URL('../../../models/manifest.json', import.meta.url), 'utf8'));

test('the manifest lists 54 voices of 522,240 bytes with well-formed hashes', () => {
  const manifest = loadManifest();
  assert.equal(manifest.voices.length, VOICE_COUNT);
  for (const voice of manifest.voices) {
    assert.match(voice.path, /^voices\/[a-z]{2}_[a-z]+\.bin$/);
    assert.equal(voice.size, VOICE_BYTES, voice.path);
    assert.match(voice.sha256 ?? '', /^[0-9a-f]{64}$/, voice.path);
    assert.ok(voice.urls.length > 0 && voice.mirrors.length > 0, `${voice.path} has an official home and a mirror`);
  }
  assert.equal(new Set(manifest.voices.map((v) => v.sha256)).size, VOICE_COUNT, 'no two voices share bytes');
});

test('the int8 model is the official file and its registry parts add up to it', () => {
  const { int8 } = loadManifest().models;
  assert.equal(int8.sha256, INT8_SHA256);
  assert.equal(int8.size, INT8_BYTES);
  const parts = int8.mirrors[0]?.parts ?? [];
  assert.equal(parts.length, 4);
  assert.equal(
    parts.reduce((sum, p) => sum + (p.size ?? 0), 0),
    INT8_BYTES,
  );
});

test('every variant, the config and the voices make up the files of a variant', () => {
  const manifest = loadManifest();
  for (const variant of MODEL_VARIANTS) {
    const assets = assetsFor(manifest, variant);
    assert.equal(assets.length, VOICE_COUNT + 2);
    assert.equal(assets[0], manifest.models[variant]);
    assert.match(manifest.models[variant].urls[0] ?? '', /^https:\/\//);
  }
  assert.equal(manifest.config.path, 'config.json');
});

test('the loader rejects a manifest with a bad hash, an escaping path or an unknown archive', () => {
  const cases: Array<[string, (m: any) => void, RegExp]> = [
    ['bad hash', (m) => (m.voices[0].sha256 = 'abc'), /voices\.0\.sha256/],
    ['escaping path', (m) => (m.config.path = '../etc/passwd'), /config\.path/],
    ['unknown archive', (m) => (m.voices[1].mirrors[0].parts[0].archive = 'nope'), /unknown archive "nope"/],
    ['parts not adding up', (m) => (m.models.int8.mirrors[0].parts[0].size = 1), /do not add up/],
    ['wrong schema version', (m) => (m.schemaVersion = 1), /schemaVersion/],
    [
      'an archive with a URL instead of coordinates',
      (m) =>
        (m.archives['npm-kokoro-js'] = {
          registry: 'npm',
          url: 'https://example.test/x.tgz',
          size: 1,
          sha256: m.archives['npm-kokoro-js'].sha256,
        }),
      /archives\.npm-kokoro-js/,
    ],
    ['duplicate path', (m) => (m.voices[1].path = m.voices[0].path), /duplicate asset path/],
  ];
  for (const [name, mutate, expected] of cases) {
    const m = rawManifest();
    mutate(m);
    assert.throws(() => parseManifest(m), expected, name);
  }
  assert.doesNotThrow(() => parseManifest(rawManifest()));
});

test('variant names are checked', () => {
  assert.equal(parseVariant('fp16'), 'fp16');
  assert.throws(() => parseVariant('fp8'), /Unknown model variant "fp8": use one of int8, fp16, fp32/);
});

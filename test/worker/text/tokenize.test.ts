// Tests (Node): phoneme strings → ids with the real vocab of the model's config.json; unknown
// symbols dropped and counted, never truncated; pads and the MAX_TOKENS bound of padIds; and the
// errors for a missing or broken config.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { assetPaths } from '../../../src-worker/assets/cache.ts';
import { KokoroError } from '../../../src-worker/engine/errors.ts';
import { MAX_TOKENS, PAD_ID, loadVocab, padIds, parseVocab, tokenize } from '../../../src-worker/text/tokenize.ts';

const vocab = loadVocab(assetPaths().config);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kokoro-tokenize-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function id(symbol: string): number {
  const value = vocab.get(symbol);
  assert.notEqual(value, undefined, `vocab has ${symbol}`);
  return value as number;
}

test('the real vocab has the 114 symbols of Kokoro v1.0 and no pad key', () => {
  assert.equal(vocab.size, 114);
  for (const symbol of [' ', '.', ',', '!', '?', 'ˈ', 'ˌ', 'ː', 'ə', 'ɹ', 'ʃ', 'ð', 'θ', 'ŋ', 'ɾ', 'ᵻ']) {
    assert.ok(vocab.has(symbol), `vocab lacks ${JSON.stringify(symbol)}`);
  }
  for (const value of vocab.values()) assert.ok(value > PAD_ID && value <= 177);
});

test('tokenize maps each symbol in order, spaces and punctuation included', () => {
  const { ids, dropped } = tokenize('həlˈoʊ, wˈɜːld!', vocab);
  assert.equal(dropped, 0);
  assert.deepEqual(ids, [...'həlˈoʊ, wˈɜːld!'].map(id));
});

const dropCases: [string, string, number][] = [
  ['', '', 0],
  ['abc', 'abc', 0],
  ['a«b»c', 'abc', 2],
  ['a«b«c', 'abc', 2], // the same unknown symbol twice is counted twice
  ['«»', '', 2],
  ['aɡ', 'aɡ', 0], // ɡ (U+0261) is in the vocab
  ['ag', 'a', 1], // ASCII g is not
  ['a😀b', 'ab', 2], // a surrogate pair counts as its two code units
];

for (const [input, kept, dropped] of dropCases) {
  test(`tokenize drops and counts unknown symbols: ${JSON.stringify(input)}`, () => {
    const result = tokenize(input, vocab);
    assert.equal(result.dropped, dropped);
    assert.deepEqual(result.ids, [...kept].map(id));
  });
}

test('tokenize never truncates, even far past MAX_TOKENS', () => {
  const long = 'ə'.repeat(MAX_TOKENS * 3);
  const { ids, dropped } = tokenize(long, vocab);
  assert.equal(ids.length, MAX_TOKENS * 3);
  assert.equal(dropped, 0);
});

test('padIds adds one pad at each end as int64', () => {
  const padded = padIds([5, 6, 7]);
  assert.ok(padded instanceof BigInt64Array);
  assert.deepEqual([...padded], [0n, 5n, 6n, 7n, 0n]);
  assert.deepEqual([...padIds([])], [0n, 0n]);
});

test('padIds accepts exactly MAX_TOKENS ids and refuses one more', () => {
  const full = new Array<number>(MAX_TOKENS).fill(16);
  const padded = padIds(full);
  assert.equal(padded.length, MAX_TOKENS + 2);
  assert.equal(padded[0], 0n);
  assert.equal(padded[MAX_TOKENS + 1], 0n);
  assert.throws(
    () => padIds([...full, 16]),
    (error: Error) => {
      assert.ok(error instanceof RangeError);
      assert.match(error.message, /511 ids is more than the model's 510/);
      assert.match(error.message, /split/);
      return true;
    },
  );
});

test('loadVocab names a missing config and the fetch command', () => {
  const missing = path.join(scratch, 'nope.json');
  assert.throws(
    () => loadVocab(missing),
    (error: unknown) => {
      assert.ok(error instanceof KokoroError);
      assert.equal(error.code, 'model-missing');
      assert.ok(error.message.includes(missing));
      assert.match(error.action, /kokoro-bar fetch/);
      return true;
    },
  );
});

const corruptCases: [string, string, RegExp][] = [
  ['not json', '{', /not valid JSON/],
  ['no vocab', '{"n_token": 178}', /no "vocab"/],
  ['vocab is an array', '{"vocab": [1, 2]}', /no "vocab"/],
  ['empty vocab', '{"vocab": {}}', /empty/],
  ['a key of two symbols', '{"vocab": {"ab": 3}}', /"ab" is not one symbol/],
  ['a fractional id', '{"vocab": {"a": 1.5}}', /"a" is not a non-negative integer/],
  ['a string id', '{"vocab": {"a": "1"}}', /"a" is not a non-negative integer/],
];

for (const [name, json, message] of corruptCases) {
  test(`loadVocab rejects a corrupt config: ${name}`, () => {
    const file = path.join(scratch, `${name.replace(/\W+/g, '-')}.json`);
    writeFileSync(file, json);
    assert.throws(
      () => loadVocab(file),
      (error: unknown) => {
        assert.ok(error instanceof KokoroError);
        assert.equal(error.code, 'model-corrupt');
        assert.match(error.message, message);
        assert.ok(error.message.includes(file));
        return true;
      },
    );
  });
}

test('parseVocab reads a minimal table', () => {
  const small = parseVocab('{"vocab": {"a": 43, " ": 16}}');
  assert.deepEqual(
    [...small],
    [
      ['a', 43],
      [' ', 16],
    ],
  );
});

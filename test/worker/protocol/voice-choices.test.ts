// Runs in the tests: the voice ids of a spec and the short "choose one of" hint (see [Note:
// Voice lists stay short] in src-worker/protocol/voice-choices.ts).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LIST_ALL_LIMIT, VOICES_COMMAND, voiceChoicesHint, voiceIdsOf } from '../../../src-worker/protocol/voice-choices.ts';

test('voiceIdsOf reads ids out of a voice or blend spec', () => {
  const table: [string, string[]][] = [
    ['af_heart', ['af_heart']],
    [' af_heart ', ['af_heart']],
    ['af_heart:0.7,af_bella:0.3', ['af_heart', 'af_bella']],
    ['af_heart:0.7, af_bella', ['af_heart', 'af_bella']],
    ['af_heart,,af_heart', ['af_heart', 'af_heart']],
    ['', []],
    [':0.5', []],
  ];
  for (const [spec, expected] of table) assert.deepEqual(voiceIdsOf(spec), expected, spec);
});

const MANY = ['af_alloy', 'af_bella', 'af_heart', 'am_adam', 'am_echo', 'bf_alice', 'bm_daniel', 'bm_george', 'ef_dora', 'zm_yunxi'];

test('a long list gives the count, one example per accent and gender, and the command', () => {
  const table: [string, string][] = [
    ['xx_nobody', `Choose one of 10 voices, e.g. af_heart, am_adam, bf_alice, bm_daniel (all of them: \`${VOICES_COMMAND}\`).`],
    [
      'af_hart',
      `Did you mean af_heart? Choose one of 10 voices, e.g. af_heart, am_adam, bf_alice, bm_daniel (all of them: \`${VOICES_COMMAND}\`).`,
    ],
    ['AF_BELA', 'Did you mean af_bella?'],
    ['george', 'Did you mean bm_george?'],
    ['am_ech', 'Did you mean am_echo?'],
    ['', 'Choose one of 10 voices'],
    ['af_heart', 'Choose one of 10 voices'], // a known id is no near miss of itself
  ];
  for (const [asked, start] of table)
    assert.ok(voiceChoicesHint(MANY, asked).startsWith(start), `${asked}: ${voiceChoicesHint(MANY, asked)}`);
  // Repeats in the input count once.
  assert.match(voiceChoicesHint([...MANY, ...MANY]), /one of 10 voices/);
});

test('a short list is given whole, and an empty one says so', () => {
  const few = MANY.slice(0, LIST_ALL_LIMIT);
  assert.equal(voiceChoicesHint([...few].reverse(), 'nope'), `Choose one of: ${few.join(', ')}.`);
  assert.equal(voiceChoicesHint(['af_heart'], 'af_haert'), 'Did you mean af_heart? Choose one of: af_heart.');
  assert.match(voiceChoicesHint([]), /No voices are installed/);
});

// Runs in Node (tests): the word highlight's logic without React: which word is heard at a played
// position (context rate converted to the engine's clock), words shifted into the transcript for
// a request started mid-text, a new request replacing the old words, and the lookups.

import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { WordTiming } from '../../src-worker/protocol/messages.ts';
import { useStore } from '../../src-renderer/store/store.ts';
import { addChunkWords, wordsAtPlayed } from '../../src-renderer/words/word-actions.ts';
import { wordAt, wordsIn } from '../../src-renderer/words/word-spans.ts';
import { resetStores } from './store/reset-stores.ts';

beforeEach(resetStores);

const word = (start: number, end: number, startSample: number, endSample: number): WordTiming => ({
  span: { start, end },
  startSample,
  endSample,
});

// "It cost $42.50." at the engine's 24 kHz: It 0.35–0.42 s, cost 0.47–0.75 s, $42.50 0.82–2.80 s.
const WORDS = [word(0, 2, 8400, 10_200), word(3, 7, 11_400, 18_000), word(8, 14, 19_800, 67_200)];

// Sample → word index.
const AT: [number, number][] = [
  [0, -1],
  [8399, -1],
  [8400, 0],
  [10_500, 0], // between words: the one before stays lit
  [11_400, 1],
  [19_799, 1],
  [19_800, 2],
  [1e9, 2],
];

test('wordAt: the last word started at or before the sample', () => {
  for (const [sample, expected] of AT) assert.equal(wordAt(WORDS, sample), expected, `sample ${sample}`);
  assert.equal(wordAt([], 100), -1);
});

test('wordsIn: the words inside a sentence span', () => {
  const cases: [number, number, [number, number]][] = [
    [0, 15, [0, 3]],
    [0, 7, [0, 2]],
    [3, 7, [1, 2]],
    [15, 20, [3, 3]],
  ];
  for (const [start, end, expected] of cases) assert.deepEqual(wordsIn(WORDS, start, end), expected, `${start}-${end}`);
});

// What onReport does with a report's played position.
const playedWords = (id: string, played: number, rate: number): void =>
  useStore.setState((s) => ({ words: wordsAtPlayed(s.words, id, played, rate) }));

test('the highlighted word follows the played position at the context rate', () => {
  useStore.setState((s) => ({ playback: { ...s.playback, requestId: 'r1' } }));
  addChunkWords('r1', WORDS.slice(0, 2), 0);
  addChunkWords('r1', WORDS.slice(2), 0);
  assert.equal(useStore.getState().words.list.length, 3);
  // At 48 kHz the player has played twice the engine's samples.
  const cases: [number, number][] = [
    [0, -1],
    [16_800, 0], // 0.35 s
    [22_800, 1], // 0.475 s
    [39_600, 2], // 0.825 s
    [30_000, 1], // after a restart from an earlier point (position never guessed ahead)
  ];
  for (const [played, expected] of cases) {
    playedWords('r1', played, 48_000);
    assert.equal(useStore.getState().words.current, expected, `played ${played} at 48 kHz`);
  }
  playedWords('r1', 19_800, 24_000);
  assert.equal(useStore.getState().words.current, 2, "at 24 kHz samples are the engine's");
  playedWords('other', 0, 48_000);
  assert.equal(useStore.getState().words.current, 2, 'reports for another request are ignored');
});

test('a request started mid-text shifts its words into the transcript and replaces the old ones', () => {
  addChunkWords('r2', [word(0, 4, 1200, 6000)], 8);
  const { words } = useStore.getState();
  assert.equal(words.requestId, 'r2');
  assert.deepEqual(words.list, [word(8, 12, 1200, 6000)]);
  assert.equal(words.current, -1);
});

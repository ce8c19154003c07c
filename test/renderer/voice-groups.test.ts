// Runs in Node (tests): the voice picker's list and its keyboard cursor, which must stay on the
// same voice when starring it adds a Favourites row above (issue 10: F twice starred two voices).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VoiceInfo } from '../../src-worker/protocol/messages.ts';
import { cursorIndex, FAVOURITES_GROUP, flattenGroups, groupVoices, type RowKey } from '../../src-renderer/voice-groups.ts';

const voice = (id: string, name: string, gender: 'female' | 'male', language = 'American English'): VoiceInfo => ({
  id,
  name,
  gender,
  language,
  lang: 'en-us',
});
const VOICES = [
  voice('af_alloy', 'Alloy', 'female'),
  voice('af_bella', 'Bella', 'female'),
  voice('af_heart', 'Heart', 'female'),
  voice('am_adam', 'Adam', 'male'),
  voice('bf_emma', 'Emma', 'female', 'British English'),
];
const ids = (favs: string[], query = '') => flattenGroups(groupVoices(VOICES, favs, query)).map((r) => `${r.group}/${r.voice.id}`);

test('groups: Favourites first, then by language and gender; search matches name, id, language, gender', () => {
  assert.deepEqual(ids([]), [
    'American English · Female/af_alloy',
    'American English · Female/af_bella',
    'American English · Female/af_heart',
    'American English · Male/am_adam',
    'British English · Female/bf_emma',
  ]);
  assert.deepEqual(ids(['af_heart']).slice(0, 2), [`${FAVOURITES_GROUP}/af_heart`, 'American English · Female/af_alloy']);
  const table: [string, string[]][] = [
    ['bella', ['American English · Female/af_bella']],
    ['BELLA', ['American English · Female/af_bella']],
    ['british', ['British English · Female/bf_emma']],
    ['am_', ['American English · Male/am_adam']],
    ['nobody', []],
  ];
  for (const [query, expected] of table) assert.deepEqual(ids([], query), expected, query);
});

test('the cursor stays on its voice while starring and unstarring shifts the rows (F twice = one voice toggled)', () => {
  // The cursor on Bella, moved there with the arrows.
  const key: RowKey = { group: 'American English · Female', id: 'af_bella' };
  let favourites: string[] = [];
  const at = () => {
    const rows = flattenGroups(groupVoices(VOICES, favourites, ''));
    return rows[cursorIndex(rows, key, 'af_heart')]?.voice.id;
  };
  const table: [string[], string][] = [
    [[], 'af_bella'],
    [['af_bella'], 'af_bella'], // starred: a Favourites row was added above
    [[], 'af_bella'], // unstarred: the Favourites row went away again
    [['af_heart', 'af_alloy'], 'af_bella'],
    [['af_heart', 'af_alloy'], 'af_bella'],
  ];
  for (const [favs, expected] of table) {
    favourites = favs;
    assert.equal(at(), expected, `favourites ${favs.join(',') || 'none'}`);
  }
});

test('a cursor on a Favourites row that goes away moves to the same voice in its own group', () => {
  const rows = flattenGroups(groupVoices(VOICES, [], ''));
  const i = cursorIndex(rows, { group: FAVOURITES_GROUP, id: 'af_heart' }, 'af_alloy');
  assert.equal(rows[i]?.voice.id, 'af_heart');
  assert.equal(rows[i]?.group, 'American English · Female');
});

test('without a cursor it sits on the chosen voice (its own row, not the Favourites copy); an empty list has none', () => {
  const rows = flattenGroups(groupVoices(VOICES, ['am_adam'], ''));
  const i = cursorIndex(rows, null, 'am_adam');
  assert.deepEqual([rows[i]?.group, rows[i]?.voice.id], ['American English · Male', 'am_adam']);
  assert.equal(cursorIndex(rows, null, 'zz_unknown'), 0);
  assert.equal(cursorIndex([], null, 'af_heart'), -1);
  // A search that hides the chosen voice puts the cursor on the first match.
  const found = flattenGroups(groupVoices(VOICES, [], 'emma'));
  assert.equal(found[cursorIndex(found, null, 'af_heart')]?.voice.id, 'bf_emma');
});

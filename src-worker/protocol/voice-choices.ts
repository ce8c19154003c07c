// Runs in the worker, the CLI and the Electron main process (nothing of Node, so main can bundle
// it): the voice ids a spec names, and the short "choose one of …" hint every unknown-voice
// message ends with.
//
// [Note: Voice lists stay short]
// Kokoro ships 54 voices. Listing them all in an error gave a wall of ids nobody reads, in a
// popover 380 points wide. So a hint offers the closest ids to what was asked for (a typo of
// "af_heart" suggests it), a handful of examples, one per accent and gender, starting with the
// default voice, the total count, and where the full list is; a short list (a test's few voices)
// is given whole.

import { DEFAULT_VOICE } from './messages.ts';

/** Every voice is named when there are at most this many. */
export const LIST_ALL_LIMIT = 8;

/** Examples shown when the list is longer. */
export const EXAMPLE_COUNT = 4;

/** Most "did you mean" suggestions. */
const MAX_SUGGESTIONS = 3;

/** Edits (insert, delete, substitute) within which an id counts as a near miss. */
const NEAR_MISS_EDITS = 2;

/** Where the whole list is, for the hint. */
export const VOICES_COMMAND = 'npx kokoro-bar voices';

/** The voice ids a spec names ("af_heart:0.7,af_bella:0.3" → af_heart, af_bella), loosely parsed. */
export function voiceIdsOf(spec: string): string[] {
  return spec
    .split(',')
    .map((part) => (part.split(':')[0] ?? '').trim())
    .filter((id) => id !== '');
}

/**
 * The short hint naming the voices to choose from (see [Note: Voice lists stay short]), e.g.
 * 'Did you mean af_heart? Choose one of 54 voices, e.g. af_heart, am_adam, bf_alice, bm_daniel
 * (all of them: `npx kokoro-bar voices`).'
 */
export function voiceChoicesHint(known: Iterable<string>, asked = ''): string {
  const ids = [...new Set(known)].sort();
  if (ids.length === 0) return `No voices are installed; run \`${VOICES_COMMAND}\` to see why.`;
  const near = nearMisses(ids, asked);
  const prefix = near.length > 0 ? `Did you mean ${near.join(' or ')}? ` : '';
  if (ids.length <= LIST_ALL_LIMIT) return `${prefix}Choose one of: ${ids.join(', ')}.`;
  return `${prefix}Choose one of ${ids.length} voices, e.g. ${examples(ids).join(', ')} ` + `(all of them: \`${VOICES_COMMAND}\`).`;
}

// One id per two-letter prefix (accent and gender: af, am, bf, …), the default voice first.
function examples(ids: readonly string[]): string[] {
  const picked = new Map<string, string>();
  // The app's default voice is listed first in examples when present.
  if (ids.includes(DEFAULT_VOICE)) picked.set(DEFAULT_VOICE.slice(0, 2), DEFAULT_VOICE);
  for (const id of ids) {
    if (picked.size >= EXAMPLE_COUNT) break;
    const group = id.slice(0, 2);
    if (!picked.has(group)) picked.set(group, id);
  }
  return [...picked.values()];
}

// Ids within NEAR_MISS_EDITS of what was asked, or with the same name part ("heart" → af_heart).
function nearMisses(ids: readonly string[], asked: string): string[] {
  const wanted = asked.trim().toLowerCase();
  if (wanted === '' || ids.includes(wanted)) return [];
  return ids
    .map((id) => ({ id, distance: id.slice(3) === wanted ? 0 : editDistance(id, wanted) }))
    .filter((c) => c.distance <= NEAR_MISS_EDITS)
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .slice(0, MAX_SUGGESTIONS)
    .map((c) => c.id);
}

// Levenshtein distance, one row at a time; ids are short.
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

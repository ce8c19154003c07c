// Runs in the renderer (and Node tests): the voice picker's list: voices grouped by accent and
// gender under a Favourites group, and the keyboard cursor kept on the same row while the list
// changes under it.

import type { VoiceInfo } from '../src-worker/protocol/messages.ts';

/** The label of the group that collects starred voices at the top. */
export const FAVOURITES_GROUP = 'Favourites';

/** One heading of the list with its voices. */
export interface VoiceGroup {
  label: string;
  voices: VoiceInfo[];
}

/** One row of the list: a voice under a heading (a starred voice has two rows). */
export interface VoiceRow {
  group: string;
  voice: VoiceInfo;
}

/** Groups the voices matching `query` (name, id, language, gender), Favourites first. */
export function groupVoices(voices: readonly VoiceInfo[], favourites: readonly string[], query: string): VoiceGroup[] {
  const q = query.trim().toLowerCase();
  const match = (v: VoiceInfo) => !q || `${v.name} ${v.id} ${v.language} ${v.gender}`.toLowerCase().includes(q);
  const shown = voices.filter(match);
  const groups: VoiceGroup[] = [];
  const favs = shown.filter((v) => favourites.includes(v.id));
  if (favs.length > 0) groups.push({ label: FAVOURITES_GROUP, voices: favs });
  const byKey = new Map<string, VoiceInfo[]>();
  for (const v of shown) {
    const key = `${v.language} · ${v.gender === 'female' ? 'Female' : 'Male'}`;
    byKey.set(key, [...(byKey.get(key) ?? []), v]);
  }
  for (const [label, list] of byKey) groups.push({ label, voices: list });
  return groups;
}

/** The rows of the groups in display order. */
export function flattenGroups(groups: readonly VoiceGroup[]): VoiceRow[] {
  return groups.flatMap((g) => g.voices.map((voice) => ({ group: g.label, voice })));
}

/** Where the keyboard cursor is: a row by its group and voice, not by its position. */
export interface RowKey {
  group: string;
  id: string;
}

/**
 * The index of the cursor's row in `rows`. Keyed by row, so starring a voice (which adds a
 * Favourites row above it) leaves the cursor on that same voice; if its row is gone (unstarred
 * from Favourites) the cursor stays on the voice in its own group. Without a key it sits on the
 * chosen voice's own row (-1 only for an empty list).
 */
export function cursorIndex(rows: readonly VoiceRow[], key: RowKey | null, chosen: string): number {
  if (rows.length === 0) return -1;
  const find = (pred: (r: VoiceRow) => boolean) => rows.findIndex(pred);
  if (key) {
    const exact = find((r) => r.group === key.group && r.voice.id === key.id);
    if (exact >= 0) return exact;
    const same = find((r) => r.group !== FAVOURITES_GROUP && r.voice.id === key.id);
    if (same >= 0) return same;
  }
  const own = find((r) => r.group !== FAVOURITES_GROUP && r.voice.id === chosen);
  if (own >= 0) return own;
  const any = find((r) => r.voice.id === chosen);
  return any >= 0 ? any : 0;
}

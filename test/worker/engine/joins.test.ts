// Runs in the tests: trimming, pauses and fades at chunk joins, on synthetic audio whose speech
// edges are known exactly (the engine test checks the same on the real model).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIBLE_LEVEL, firstAudibleSample, lastAudibleSample } from '../../../src-worker/protocol/audible.ts';
import {
  INNER_PAUSE_MS,
  JOIN_EDGE_MS,
  LEAD_MS,
  PAUSE_MS,
  TAIL_MS,
  boundaryAt,
  energyBounds,
  innerBoundary,
  joinChunk,
  pauseMs,
  speechBounds,
  type Boundary,
} from '../../../src-worker/engine/joins.ts';
import { SAMPLE_RATE } from '../../../src-worker/protocol/messages.ts';
import { SAMPLES_PER_FRAME } from '../../../src-worker/sessions/session.ts';

const MS = SAMPLE_RATE / 1000;

test('boundaryAt: the text at a cut decides its kind', () => {
  // [text with | at the cut, expected]
  const table: [string, Boundary][] = [
    ['The quick brown| fox', 'word'],
    ['The quick brown |fox', 'word'],
    ['He came,| and went', 'clause'],
    ['He came;| then went', 'clause'],
    ['He came:| a visit', 'clause'],
    ['He came —| and went', 'clause'],
    ['He came.| Then went', 'sentence'],
    ['He came!| Then went', 'sentence'],
    ['He came?| Then went', 'sentence'],
    ['He said "go."| Then went', 'sentence'],
    ['He came (at last).| Then', 'sentence'],
    ['He came.|\n\nThen went', 'paragraph'],
    ['Chapter one|\n\nIt was', 'paragraph'],
    ['He came,|\r\n\r\nthen', 'paragraph'],
    ['A heading|\nThe text', 'sentence'],
    ['hard wrapped|\nprose goes on', 'word'],
    ['Twice,| twice,| twice', 'clause'],
    ['Twice.| Twice.| Twice', 'sentence'],
  ];
  for (const [marked, expected] of table) {
    const at = marked.indexOf('|');
    const text = marked.replace(/\|/g, '');
    assert.equal(boundaryAt(text, at), expected, marked);
  }
});

test('pauses: the table, divided by speed, scaled by the user setting', () => {
  // [boundary, speed, scale, expected ms]
  const table: [Boundary, number, number, number][] = [
    ['word', 1, 1, 0],
    ['clause', 1, 1, PAUSE_MS.clause],
    ['sentence', 1, 1, PAUSE_MS.sentence],
    ['paragraph', 1, 1, PAUSE_MS.paragraph],
    ['sentence', 2, 1, PAUSE_MS.sentence / 2],
    ['sentence', 0.5, 1, PAUSE_MS.sentence * 2],
    ['sentence', 1, 0.5, PAUSE_MS.sentence / 2],
    ['clause', 1, 2, PAUSE_MS.clause * 2],
    ['word', 0.5, 3, 0],
  ];
  for (const [boundary, speed, scale, expected] of table) assert.equal(pauseMs(boundary, speed, scale), expected);
});

// A rendered chunk: `padFrames` of silence, speech (a 200 Hz tone at 0.3) from `onsetMs` to
// `offsetMs`, the rest silence up to `frames` frames in all; durations put the pads at both ends.
function rendered(frames: number[], onsetMs: number, offsetMs: number): { pcm: Float32Array; durations: Float32Array } {
  const total = frames.reduce((a, b) => a + b, 0);
  const pcm = new Float32Array(total * SAMPLES_PER_FRAME);
  for (let i = Math.round(onsetMs * MS); i < Math.round(offsetMs * MS); i++)
    pcm[i] = 0.3 * Math.sin((2 * Math.PI * 200 * i) / SAMPLE_RATE) + 0.01;
  return { pcm, durations: Float32Array.from(frames) };
}

test('speechBounds by durations: onset searched from shortly before the first phoneme, offset before the closing pad', () => {
  // Pad of 14 frames (350 ms), the onset 40 ms early, speech ending well inside the lengthened last phoneme.
  const { pcm, durations } = rendered([14, 3, 4, 13, 7, 1], 310, 700);
  const bounds = speechBounds(pcm, durations);
  assert.equal(bounds.by, 'durations');
  assert.equal(bounds.onset, firstAudibleSample(pcm));
  assert.equal(bounds.offset, lastAudibleSample(pcm) + 1);
  // Something audible inside the leading pad, well before the onset search window, is not speech.
  const noisy = rendered([14, 3, 4, 13, 7, 1], 310, 700);
  noisy.pcm[10] = 0.5;
  assert.equal(speechBounds(noisy.pcm, noisy.durations).onset, bounds.onset);
  // Durations that do not add up to the audio are not used.
  assert.equal(speechBounds(pcm, Float32Array.of(1, 2, 3)).by, 'energy');
  assert.equal(speechBounds(pcm, undefined).by, 'energy');
});

test('energyBounds: frames 60 dB below the loudest are silence; empty or silent audio gives an empty window', () => {
  const { pcm } = rendered([20, 20], 300, 700);
  const { onset, offset } = energyBounds(pcm);
  assert.ok(onset <= 300 * MS && onset > 300 * MS - 512, `${onset}`);
  assert.ok(offset >= 700 * MS && offset < 700 * MS + 512, `${offset}`);
  assert.deepEqual(energyBounds(new Float32Array(4800)), { onset: 0, offset: 0 });
  assert.deepEqual(energyBounds(new Float32Array(0)), { onset: 0, offset: 0 });
});

test('joinChunk: lead, tail and pause add up to the boundary pause; cuts are faded to zero', () => {
  const { pcm, durations } = rendered([14, 3, 4, 13, 7, 1], 310, 700);
  const onset = firstAudibleSample(pcm);
  const offset = lastAudibleSample(pcm) + 1;
  // Each side of a pause keeps up to half of it, at most LEAD_MS; the next chunk keeps its share.
  const side = (gap: number): number => Math.min(gap / 2, LEAD_MS);
  // [before, after, expected lead ms, expected silence after the speech ms]
  const table: [Boundary | undefined, Boundary | undefined, number, number][] = [
    [undefined, undefined, LEAD_MS, TAIL_MS],
    [undefined, 'word', LEAD_MS, JOIN_EDGE_MS],
    [undefined, 'clause', LEAD_MS, PAUSE_MS.clause - side(PAUSE_MS.clause)],
    [undefined, 'sentence', LEAD_MS, PAUSE_MS.sentence - LEAD_MS],
    ['word', 'sentence', JOIN_EDGE_MS, PAUSE_MS.sentence - LEAD_MS],
    ['clause', 'paragraph', side(PAUSE_MS.clause), PAUSE_MS.paragraph - LEAD_MS],
    ['sentence', undefined, LEAD_MS, TAIL_MS],
  ];
  for (const [before, after, leadMs, afterMs] of table) {
    const joined = joinChunk(pcm, durations, { before, after, speed: 1, pauseScale: 1 });
    const label = `${before} → ${after}`;
    assert.equal(joined.trimmedStart, onset - Math.round(leadMs * MS), label);
    assert.equal(joined.pcm.length, offset - onset + Math.round(leadMs * MS) + Math.round(afterMs * MS), label);
    assert.equal(firstAudibleSample(joined.pcm), Math.round(leadMs * MS), label);
    assert.equal(joined.pcm[0], 0, `${label}: starts at zero`);
    assert.equal(joined.pcm[joined.kept - 1], 0, `${label}: ends at zero`);
  }
  // Two cuts inside a clause meet with at most 2 × JOIN_EDGE_MS of silence (≤ 30 ms).
  const a = joinChunk(pcm, durations, { before: undefined, after: 'word', speed: 1, pauseScale: 1 });
  const b = joinChunk(pcm, durations, { before: 'word', after: undefined, speed: 1, pauseScale: 1 });
  const gap = a.pcm.length - 1 - lastAudibleSample(a.pcm) + firstAudibleSample(b.pcm);
  assert.ok(gap <= 30 * MS, `${gap / MS} ms`);
});

test('joinChunk: fades are short and leave the speech itself untouched', () => {
  const { pcm, durations } = rendered([14, 3, 4, 13, 7, 1], 310, 700);
  const joined = joinChunk(pcm, durations, { before: 'word', after: 'word', speed: 1, pauseScale: 1 });
  const speech = pcm.subarray(firstAudibleSample(pcm), lastAudibleSample(pcm) + 1);
  const kept = joined.pcm.subarray(firstAudibleSample(joined.pcm), lastAudibleSample(joined.pcm) + 1);
  assert.deepEqual(kept, speech, 'the fades lie outside the speech');
  // No sample step at the cuts larger than inside the speech.
  let step = 0;
  for (let i = 1; i < joined.pcm.length; i++) step = Math.max(step, Math.abs((joined.pcm[i] as number) - (joined.pcm[i - 1] as number)));
  let inside = 0;
  for (let i = 1; i < speech.length; i++) inside = Math.max(inside, Math.abs((speech[i] as number) - (speech[i - 1] as number)));
  assert.ok(step <= inside + AUDIBLE_LEVEL, `${step} vs ${inside}`);
});

test('joinChunk: silent audio (nothing audible between the pads) keeps no more than lead and tail', () => {
  const { pcm, durations } = rendered([14, 10, 6], 0, 0);
  const joined = joinChunk(pcm, durations, { before: undefined, after: undefined, speed: 1, pauseScale: 1 });
  assert.ok(joined.pcm.length <= (LEAD_MS + TAIL_MS + 10 * 25) * MS);
  assert.equal(firstAudibleSample(joined.pcm), -1);
});

test('joinChunk: a silence inside the speech longer than the text allows is shortened by whole frames, and so are the durations', () => {
  // Speech 310–700 ms and 1100–1400 ms: a 400 ms silence between, inside id 3 (from frame 21, 525 ms).
  const frames = [14, 3, 4, 30, 5, 1];
  const { pcm, durations } = rendered(frames, 310, 700);
  for (let i = 1100 * MS; i < 1400 * MS; i++) pcm[i] = 0.2;
  // [inner boundary, longest silence allowed ms]
  const table: [Boundary | undefined, number][] = [
    [undefined, INNER_PAUSE_MS],
    ['clause', Math.max(INNER_PAUSE_MS, PAUSE_MS.clause)],
    ['sentence', PAUSE_MS.sentence],
    ['paragraph', 400],
  ];
  for (const [inner, allowed] of table) {
    const joined = joinChunk(pcm, durations, { before: undefined, after: undefined, inner, speed: 1, pauseScale: 1 });
    const first = lastAudibleSample(joined.pcm, AUDIBLE_LEVEL, 0, 700 * MS - joined.trimmedStart);
    const second = firstAudibleSample(joined.pcm, AUDIBLE_LEVEL, first + 1);
    const silence = (second - first - 1) / MS;
    assert.ok(silence <= allowed && silence > allowed - 25, `${inner}: ${silence} ms`);
    assert.equal(joined.shortened % SAMPLES_PER_FRAME, 0);
    const kept = joined.frames;
    assert.ok(kept);
    assert.equal(kept.reduce((a, b) => a + b, 0) * SAMPLES_PER_FRAME + joined.shortened, pcm.length, `${inner}: frames follow`);
    // Only the id holding the silence lost frames.
    assert.deepEqual(
      kept.map((f, i) => f - (frames[i] as number)).filter((d) => d !== 0),
      joined.shortened ? [-joined.shortened / SAMPLES_PER_FRAME] : [],
    );
  }
});

test('innerBoundary: the strongest mark inside a span, the last one excluded', () => {
  // [text, expected]
  const table: [string, Boundary | undefined][] = [
    ['The quick brown fox.', undefined],
    ['Hello, there.', 'clause'],
    ['One. Two, three.', 'sentence'],
    ['One.\n\nTwo.', 'paragraph'],
    ['Well-known words', undefined],
    ['A, b; c: d.', 'clause'],
  ];
  for (const [text, expected] of table) assert.equal(innerBoundary(text, 0, text.length), expected, text);
});

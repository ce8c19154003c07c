// Tests (Node): the --timings JSON and the WebVTT / SRT captions made from word timings:
// sentence cues, long sentences cut at words, original text and punctuation kept, times exact.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_CUE_CHARS, captionCues, timingsJson, toSrt, toVtt } from '../../../src-worker/cli/captions.ts';
import type { WordTiming } from '../../../src-worker/protocol/messages.ts';

const RATE = 24_000;

// Words of `text` found by a regex, each given 0.5 s, one after another from 1 s.
function timed(text: string, pattern = /\$?[\w.:/]+\w|\w/g): WordTiming[] {
  return [...text.matchAll(pattern)].map((m, i) => ({
    span: { start: m.index, end: m.index + m[0].length },
    startSample: RATE + i * (RATE / 2),
    endSample: RATE + (i + 1) * (RATE / 2) - 1200,
  }));
}

test('timings JSON: seconds from the first sample and offsets into the text as given', () => {
  const text = 'It cost $42.50.';
  const words: WordTiming[] = [
    { span: { start: 0, end: 2 }, startSample: 8400, endSample: 10_200 },
    { span: { start: 8, end: 14 }, startSample: 19_800, endSample: 67_200 },
  ];
  assert.deepEqual(timingsJson(text, words), {
    words: [
      { text: 'It', start: 0.35, end: 0.425, charStart: 0, charEnd: 2 },
      { text: '$42.50', start: 0.825, end: 2.8, charStart: 8, charEnd: 14 },
    ],
  });
});

test('one cue per sentence, with its punctuation, word stamps in VTT only', () => {
  const text = '"Hello there," she said.  It cost $4.50!\nBye.';
  const words = timed(text);
  assert.deepEqual(
    captionCues(text, words).map((cue) => cue.map((w) => text.slice(w.span.start, w.span.end)).join(' ')),
    ['Hello there she said', 'It cost $4.50', 'Bye'],
  );
  assert.equal(
    toSrt(text, words),
    [
      '1\n00:00:01,000 --> 00:00:02,950\n"Hello there," she said.',
      '2\n00:00:03,000 --> 00:00:04,450\nIt cost $4.50!',
      '3\n00:00:04,500 --> 00:00:04,950\nBye.',
      '',
    ]
      .join('\n\n')
      .trimEnd() + '\n',
  );
  assert.equal(
    toVtt(text, words),
    'WEBVTT\n\n' +
      [
        '1\n00:00:01.000 --> 00:00:02.950\n"Hello <00:00:01.500>there," <00:00:02.000>she <00:00:02.500>said.',
        '2\n00:00:03.000 --> 00:00:04.450\nIt <00:00:03.500>cost <00:00:04.000>$4.50!',
        '3\n00:00:04.500 --> 00:00:04.950\nBye.',
      ].join('\n\n') +
      '\n',
  );
});

test('a long sentence is cut into cues at words; VTT escapes markup; times past an hour', () => {
  const text = `${Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ')}.`;
  const cues = captionCues(text, timed(text));
  assert.ok(cues.length >= 3);
  assert.deepEqual(cues.flat(), timed(text), 'every word once, in order');
  for (const cue of cues) {
    const first = cue[0] as WordTiming;
    const last = cue.at(-1) as WordTiming;
    assert.ok(last.span.end - first.span.start <= MAX_CUE_CHARS);
  }
  const markup = 'A <b> & c.';
  const words: WordTiming[] = [
    { span: { start: 0, end: 1 }, startSample: 3600 * RATE, endSample: 3600 * RATE + 100 },
    { span: { start: 6, end: 7 }, startSample: 3601 * RATE, endSample: 3601 * RATE + 100 },
    { span: { start: 8, end: 9 }, startSample: 3602 * RATE, endSample: 3602 * RATE + 12_000 },
  ];
  assert.equal(toVtt(markup, words), 'WEBVTT\n\n1\n01:00:00.000 --> 01:00:02.500\nA &lt;b&gt; <01:00:01.000>&amp; <01:00:02.000>c.\n');
  assert.equal(toVtt('', []), 'WEBVTT\n\n\n');
  assert.equal(toSrt('', []), '');
});

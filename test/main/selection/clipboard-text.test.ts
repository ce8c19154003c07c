// Runs under node:test: clean-up of clipboard text before it is spoken.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanClipboardText } from '../../../src-main/selection/clipboard-text.ts';

test('clipboard text is cleaned for speech', () => {
  const table: Array<[string, string]> = [
    ['Hello world', 'Hello world'],
    ['  Hello   world  ', 'Hello world'],
    ['a  b  c  d', 'a b c d'],
    ['line one\r\nline two', 'line one line two'],
    ['line one\rline two\rline three', 'line one line two line three'],
    ['para one\n\npara two\n\n\npara three', 'para one\n\npara two\n\npara three'],
    ['para one\r\n\r\npara two', 'para one\n\npara two'],
    ['hyphen-\nated word and ex-\n  ample', 'hyphenated word and example'],
    ['well-known stays', 'well-known stays'],
    ['Year 2020-\n2021', 'Year 2020- 2021'],
    ['zero\u200Bwidth\u200Bspaces\uFEFF', 'zerowidthspaces'],
    ['soft\u00ADhy\u00ADphen', 'softhyphen'],
    ['non\u00A0breaking\u00A0space', 'non breaking space'],
    ['tab\tseparated\tcells', 'tab separated cells'],
    ['bell\u0007 and nul\u0000', 'bell and nul'],
    ['line\u2028separator', 'line separator'],
    ['', ''],
    ['   \n\n \t ', ''],
    ['\u200B\u200B', ''],
  ];
  for (const [input, expected] of table) {
    assert.equal(cleanClipboardText(input), expected, JSON.stringify(input));
  }
});

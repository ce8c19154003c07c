// Runs in the tests: the peak resident set is this process's own (see [Note: Peak RSS of this
// process] in metrics.ts): VmHWM on Linux, maxRSS elsewhere or when /proc cannot be read.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memory, peakRss } from '../../../src-worker/engine/metrics.ts';

const KIB = 1024;
const STATUS = 'Name:\tnode\nVmPeak:\t 9000000 kB\nVmSize:\t 8000000 kB\nVmHWM:\t  345678 kB\nVmRSS:\t  300000 kB\n';
const maxRss = (): number => process.resourceUsage().maxRSS * KIB;

test('the peak is VmHWM on Linux, maxRSS elsewhere or without /proc', () => {
  const cases: [NodeJS.Platform, () => string, () => number][] = [
    ['linux', () => STATUS, () => 345_678 * KIB],
    ['linux', () => STATUS.replace(/VmHWM[^\n]*\n/, ''), maxRss],
    [
      'linux',
      () => {
        throw new Error('no /proc');
      },
      maxRss,
    ],
    ['darwin', () => STATUS, maxRss],
  ];
  for (const [platform, read, expected] of cases) {
    // maxRSS only grows: read it after, and allow what this process grew meanwhile.
    const got = peakRss(platform, read);
    assert.ok(Math.abs(got - expected()) < 64 * KIB * KIB, `${platform}: ${got} vs ${expected()}`);
  }
});

test('on this machine the peak is at least the current resident set', () => {
  const { rssBytes, peakRssBytes } = memory();
  assert.ok(peakRssBytes >= rssBytes && rssBytes > 0);
});

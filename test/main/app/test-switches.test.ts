// Runs under node:test: the KOKORO_BAR_TEST_* switches count only in an unpackaged app (see
// [Note: Test switches are for unpackaged runs]).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TEST_ENV } from '../../../src-main/ipc/ipc-contract.ts';
import { readTestSwitches } from '../../../src-main/app/test-switches.ts';

test('test switches are honoured unpackaged and ignored packaged', () => {
  const both = { [TEST_ENV.userData]: '/tmp/profile', [TEST_ENV.hooks]: '1' };
  const table: [Record<string, string>, boolean, { userData: string | null; hooks: boolean }][] = [
    [both, false, { userData: '/tmp/profile', hooks: true }],
    [both, true, { userData: null, hooks: false }],
    [{}, false, { userData: null, hooks: false }],
    [{ [TEST_ENV.userData]: '' }, false, { userData: null, hooks: false }],
    [{ [TEST_ENV.hooks]: 'yes' }, false, { userData: null, hooks: false }],
    [{ [TEST_ENV.hooks]: '1' }, true, { userData: null, hooks: false }],
  ];
  for (const [env, isPackaged, expected] of table) {
    assert.deepEqual(readTestSwitches(env, isPackaged), expected, `${JSON.stringify(env)} packaged=${isPackaged}`);
  }
});

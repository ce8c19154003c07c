// Runs in the Electron main process (and tests, under plain Node): the KOKORO_BAR_TEST_*
// switches the Electron tests set, honoured only when the app is not packaged.
//
// [Note: Test switches are for unpackaged runs]
// The Playwright tests start the app from the repository with a throw-away profile and test hooks
// (functions on `globalThis` that trigger hotkey and tray actions). A packaged app must never
// obey them: anyone who can set an environment variable for it (a launch agent, `open --env`)
// could otherwise point it at another profile or drive it from its main process.

import { TEST_ENV } from '../ipc/ipc-contract.ts';

/** What the test switches ask for, after the packaged check. */
export interface TestSwitches {
  /** A user-data folder to use instead of the real one, or null. */
  userData: string | null;
  /** Whether to expose the test hooks on `globalThis.__kokoroBar`. */
  hooks: boolean;
}

/** Reads the test switches from `env`; a packaged app gets none (see [Note: Test switches are for unpackaged runs]). */
export function readTestSwitches(env: Readonly<Record<string, string | undefined>>, isPackaged: boolean): TestSwitches {
  if (isPackaged) return { userData: null, hooks: false };
  const userData = env[TEST_ENV.userData];
  return {
    userData: userData === undefined || userData === '' ? null : userData,
    hooks: env[TEST_ENV.hooks] === '1',
  };
}

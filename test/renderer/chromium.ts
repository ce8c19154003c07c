// Runs under node:test: how the renderer's Chromium tests launch Debian's Chromium, in one place.
// The background-networking flags matter here: without them Chromium's connections are refused
// by the closed network many at a time.

import { existsSync } from 'node:fs';

/** The browser: Debian's Chromium unless CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Launch flags: no sandbox (root), no GPU, no network chatter, audio without a user gesture. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/** The skip reason for a suite that needs Chromium, or false when it is installed. */
export const CHROMIUM_SKIP: string | false = existsSync(CHROMIUM)
  ? false
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;

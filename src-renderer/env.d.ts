// Runs nowhere (types only): the bridge the preload (or the dev host's ws-bridge) puts on
// `window`. Vite's asset imports are declared in vite-env.d.ts (ambient: no imports there).

import type { KokoroBridge } from '../src-worker/protocol/messages.ts';

declare global {
  interface Window {
    kokoro?: KokoroBridge;
  }
}

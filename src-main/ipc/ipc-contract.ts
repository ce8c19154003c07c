// Runs in the Electron main process and the preload script: the names of the IPC channels
// between them and the checks main applies to what arrives on each. Worker traffic never uses
// these channels (it goes over the MessagePort, see [Note: One bridge]).

import { z } from 'zod';

/** Channels the preload invokes (ipcRenderer.invoke → ipcMain.handle). */
export const INVOKE = {
  getSettings: 'kokoro:get-settings',
  updateSettings: 'kokoro:update-settings',
  readClipboard: 'kokoro:read-clipboard',
  benchHistory: 'kokoro:bench-history',
  saveBenchResult: 'kokoro:save-bench-result',
} as const;

/** Channels the preload sends on without an answer (ipcRenderer.send → ipcMain.on). */
export const SEND = {
  /** "Connect me to the worker": sent at preload start, answered by a `worker-port` message. */
  requestWorkerPort: 'kokoro:request-worker-port',
  /** What this window's player is doing, for the tray icon. */
  playbackState: 'kokoro:playback-state',
} as const;

/** Channels main sends to a window (webContents.send / postMessage → ipcRenderer.on). */
export const TO_RENDERER = {
  /** Carries a MessagePort to the worker in `event.ports[0]`. */
  workerPort: 'kokoro:worker-port',
  /** The worker died; the payload is the reason (a string). */
  workerDown: 'kokoro:worker-down',
  /** An AppCommand. */
  command: 'kokoro:command',
} as const;

/** Prefix of the preload's process argument carrying the app version. */
export const APP_VERSION_ARG = '--kokoro-app-version=';

/** Payload of SEND.playbackState. */
export const playbackStateSchema = z.enum(['idle', 'speaking', 'paused']);

/** Payload of INVOKE.updateSettings is checked by settings.applyPatch; the rest take none. */
export const noPayloadSchema = z.tuple([]);

/** Environment the Electron tests set: a throw-away user-data folder, and test hooks on. */
export const TEST_ENV = {
  userData: 'KOKORO_BAR_TEST_USER_DATA',
  hooks: 'KOKORO_BAR_TEST_HOOKS',
} as const;

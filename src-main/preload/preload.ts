// Runs in the preload script of every window (sandboxed, context-isolated): builds the one
// `window.kokoro` bridge the renderer uses (see [Note: One bridge]) from a MessagePort to the
// worker plus a few IPC calls to main. Bundled to CommonJS: sandboxed preloads cannot load ESM
// or node_modules, so esbuild inlines everything but `electron`.
//
// [Note: The port stays in the preload]
// contextBridge cannot pass a MessagePort into the page, so the preload keeps the port and the
// page gets functions: `send` posts on the port, `onEvent` registers a listener the port's
// messages are passed to. Events cross the bridge by structured copy, PCM chunks included: one
// copy per chunk of 100–300 KiB (1–3 s of float32 at 24 kHz on the medium and long bench texts),
// a few copies per second of speech at most. Requests and events also pass through
// the WorkerClient (see [Note: Who fails pending requests]) and the playback tracker (see
// [Note: Playback state from the preload]).

import { contextBridge, ipcRenderer } from 'electron';
import type { AppCommand, KokoroBridge, PortLike, Settings, SettingsPatch, SettingsResult } from '../../src-worker/protocol/messages.ts';
import { APP_VERSION_ARG, INVOKE, SEND, TO_RENDERER } from '../ipc/ipc-contract.ts';
import { createPlaybackTracker } from './playback-tracker.ts';
import { createWorkerClient } from './worker-client.ts';

const client = createWorkerClient();
const commandListeners = new Set<(command: AppCommand) => void>();

const tracker = createPlaybackTracker(
  {
    now: () => Date.now(),
    setTimer: (callback, ms) => {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
  },
  (state) => ipcRenderer.send(SEND.playbackState, state),
);
client.onEvent((event) => tracker.event(event));

/** Wraps the DOM MessagePort main hands us as the protocol's PortLike. */
function domPort(port: MessagePort): PortLike {
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer ?? []),
    onMessage(listener) {
      const handler = (event: MessageEvent): void => listener(event.data);
      port.addEventListener('message', handler);
      port.start();
      return () => {
        port.removeEventListener('message', handler);
        port.close();
      };
    },
  };
}

ipcRenderer.on(TO_RENDERER.workerPort, (event) => {
  const port = event.ports[0];
  if (port !== undefined) client.attach(domPort(port));
});

ipcRenderer.on(TO_RENDERER.workerDown, (_event, reason: unknown) => {
  client.workerDown(typeof reason === 'string' ? reason : 'unknown reason');
});

ipcRenderer.on(TO_RENDERER.command, (_event, command: AppCommand) => {
  tracker.command(command);
  for (const listener of commandListeners) listener(command);
});

const versionArg = process.argv.find((arg) => arg.startsWith(APP_VERSION_ARG));

const bridge: KokoroBridge = {
  platform: {
    os: process.platform,
    arch: process.arch,
    shell: 'electron',
    appVersion: versionArg === undefined ? '0.0.0' : versionArg.slice(APP_VERSION_ARG.length),
  },
  send(request) {
    tracker.request(request);
    client.send(request);
  },
  onEvent(listener) {
    return client.onEvent(listener);
  },
  onWorkerState(listener) {
    return client.onState(listener);
  },
  getSettings: () => ipcRenderer.invoke(INVOKE.getSettings) as Promise<Settings>,
  updateSettings: (patch: SettingsPatch) => ipcRenderer.invoke(INVOKE.updateSettings, patch) as Promise<SettingsResult>,
  readClipboard: () => ipcRenderer.invoke(INVOKE.readClipboard) as Promise<string>,
  onCommand(listener) {
    commandListeners.add(listener);
    return () => {
      commandListeners.delete(listener);
    };
  },
};

contextBridge.exposeInMainWorld('kokoro', bridge);

// Ask for a port last, once every listener above is in place (also after a reload).
ipcRenderer.send(SEND.requestWorkerPort);

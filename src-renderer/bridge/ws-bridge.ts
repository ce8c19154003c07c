// Runs in the renderer when it is served by the browser dev host: builds `window.kokoro` over one
// WebSocket to the dev host (see [Note: One bridge] in protocol.ts and [Note: Dev host wire
// format] in src-main/dev-host/wire.ts).

import type {
  AppCommand,
  BenchResult,
  KokoroBridge,
  PlatformInfo,
  Settings,
  SettingsPatch,
  SettingsResult,
  WorkerEvent,
  WorkerRequest,
} from '../../src-worker/protocol.ts';
import { isWorkerEvent } from '../../src-worker/protocol.ts';
import {
  decodeChunk,
  type BridgeMethod,
  type ClientFrame,
  type ServerFrame,
} from '../../src-main/dev-host/wire.ts';

/** Path of the dev host's WebSocket endpoint. */
export const BRIDGE_PATH = '/bridge';

/** Connects to the dev host that served this page and resolves once it has said hello. */
export function connectWsBridge(url = defaultUrl()): Promise<KokoroBridge> {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  const eventListeners = new Set<(event: WorkerEvent) => void>();
  const stateListeners = new Set<(state: 'up' | 'down') => void>();
  const commandListeners = new Set<(command: AppCommand) => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextCall = 1;
  const outbox: string[] = [];

  const send = (frame: ClientFrame) => {
    const text = JSON.stringify(frame);
    if (socket.readyState === WebSocket.OPEN) socket.send(text);
    else outbox.push(text);
  };
  const call = <T>(method: BridgeMethod, arg?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const n = nextCall++;
      pending.set(n, { resolve: resolve as (v: unknown) => void, reject });
      send(arg === undefined ? { t: 'call', n, method } : { t: 'call', n, method, arg });
    });
  // Tests set `window.__kokoroTap = []` before the page loads to record what the worker sent
  // (chunk PCM is summarised by its length).
  const tap = (globalThis as { __kokoroTap?: unknown[] }).__kokoroTap;
  const emit = (event: WorkerEvent) => {
    if (tap) tap.push(event.type === 'chunk' ? { ...event, pcm: undefined, samples: event.pcm.length } : event);
    for (const listener of eventListeners) listener(event);
  };

  return new Promise((resolve, reject) => {
    socket.addEventListener('open', () => {
      for (const text of outbox.splice(0)) socket.send(text);
    });
    socket.addEventListener('error', () => reject(new Error(`Cannot reach the dev host at ${url}`)));
    socket.addEventListener('close', () => {
      for (const listener of stateListeners) listener('down');
      for (const { reject: fail } of pending.values()) fail(new Error('The dev host went away'));
      pending.clear();
    });
    socket.addEventListener('message', (message: MessageEvent<string | ArrayBuffer>) => {
      if (typeof message.data !== 'string') {
        emit(decodeChunk(message.data));
        return;
      }
      const frame = JSON.parse(message.data) as ServerFrame;
      switch (frame.t) {
        case 'hello':
          resolve(makeBridge(frame.platform));
          break;
        case 'event':
          if (isWorkerEvent(frame.event)) emit(frame.event);
          break;
        case 'reply': {
          const waiter = pending.get(frame.n);
          pending.delete(frame.n);
          if (frame.ok) waiter?.resolve(frame.value);
          else waiter?.reject(new Error(frame.message));
          break;
        }
        case 'worker':
          for (const listener of stateListeners) listener(frame.state);
          break;
        case 'command':
          for (const listener of commandListeners) listener(frame.command);
          break;
      }
    });
  });

  function makeBridge(platform: PlatformInfo): KokoroBridge {
    const subscribe =
      <T>(set: Set<T>) =>
      (listener: T) => {
        set.add(listener);
        return () => void set.delete(listener);
      };
    return {
      platform,
      send: (request: WorkerRequest) => send({ t: 'req', request }),
      onEvent: subscribe(eventListeners),
      onWorkerState: subscribe(stateListeners),
      onCommand: subscribe(commandListeners),
      getSettings: () => call<Settings>('getSettings'),
      updateSettings: (patch: SettingsPatch) => call<SettingsResult>('updateSettings', patch),
      readClipboard: () => call<string>('readClipboard'),
      benchHistory: () => call<BenchResult[]>('benchHistory'),
      saveBenchResult: (result: BenchResult) => call<void>('saveBenchResult', result),
    };
  }
}

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${BRIDGE_PATH}`;
}

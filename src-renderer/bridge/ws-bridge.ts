// Runs in the renderer when it is served by the browser dev host: builds `window.kokoro` over one
// WebSocket to the dev host (see [Note: One bridge] in protocol/messages.ts and [Note: Dev host wire
// format] in src-worker/protocol/wire.ts).
//
// [Note: The bridge reconnects]
// When the dev host goes away (restarted, laptop asleep) the page hears 'down' at once, every
// pending call fails, and requests sent meanwhile are dropped rather than queued: a Speak that
// fired minutes later on reconnect would be a surprise, and the store refuses to speak while the
// engine is down anyway. The socket is reopened with a growing delay; once the host says hello
// again the same bridge object carries on and the host's own 'worker' frame reports 'up'.

import type {
  AppCommand,
  KokoroBridge,
  PlatformInfo,
  Settings,
  SettingsPatch,
  SettingsResult,
  WorkerEvent,
  WorkerRequest,
} from '../../src-worker/protocol/messages.ts';
import { isWorkerEvent } from '../../src-worker/protocol/messages.ts';
import { BRIDGE_PATH, decodeChunk, type BridgeMethod, type ClientFrame, type ServerFrame } from '../../src-worker/protocol/wire.ts';

/** First wait before reopening a closed socket; doubled per failure up to the maximum. */
export const RECONNECT_FIRST_MS = 250;
/** Longest wait between two reconnection attempts. */
export const RECONNECT_MAX_MS = 4_000;
/** The message a call gets while the dev host cannot be reached. */
export const UNREACHABLE_MESSAGE = 'The dev host is not reachable; the page reconnects when it is back.';

/** The slice of the WebSocket API the bridge uses (the browser's, or `ws` in Node tests). */
export type SocketConstructor = new (url: string) => WebSocket;

/** Options for tests: another socket class, shorter delays, a signal that ends the bridge. */
export interface WsBridgeOptions {
  Socket?: SocketConstructor;
  reconnectFirstMs?: number;
  reconnectMaxMs?: number;
  signal?: AbortSignal;
}

const OPEN = 1;

/** Connects to the dev host that served this page and resolves once it has said hello. */
export function connectWsBridge(url = defaultUrl(), options: WsBridgeOptions = {}): Promise<KokoroBridge> {
  const Socket = options.Socket ?? WebSocket;
  const firstDelay = options.reconnectFirstMs ?? RECONNECT_FIRST_MS;
  const maxDelay = options.reconnectMaxMs ?? RECONNECT_MAX_MS;
  const eventListeners = new Set<(event: WorkerEvent) => void>();
  const stateListeners = new Set<(state: 'up' | 'down') => void>();
  const commandListeners = new Set<(command: AppCommand) => void>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextCall = 1;
  let socket: WebSocket | undefined;
  let delay = firstDelay;
  let bridge: KokoroBridge | undefined;
  let announcedDown = false;

  const send = (frame: ClientFrame): boolean => {
    if (socket?.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  };
  const call = <T>(method: BridgeMethod, arg?: unknown): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const n = nextCall++;
      pending.set(n, { resolve: resolve as (v: unknown) => void, reject });
      if (!send(arg === undefined ? { t: 'call', n, method } : { t: 'call', n, method, arg })) {
        pending.delete(n);
        reject(new Error(UNREACHABLE_MESSAGE));
      }
    });
  // Tests set `window.__kokoroTap = []` before the page loads to record what the worker sent
  // (chunk PCM is summarised by its length).
  const tap = (globalThis as { __kokoroTap?: unknown[] }).__kokoroTap;
  const emit = (event: WorkerEvent) => {
    if (tap) tap.push(event.type === 'chunk' ? { ...event, pcm: undefined, samples: event.pcm.length } : event);
    for (const listener of eventListeners) listener(event);
  };

  return new Promise((resolve) => {
    const open = () => {
      if (options.signal?.aborted) return;
      const current = new Socket(url);
      socket = current;
      current.binaryType = 'arraybuffer';
      // A failed attempt is followed by 'close', which schedules the next one.
      current.addEventListener('error', () => undefined);
      current.addEventListener('close', () => {
        if (socket !== current) return;
        socket = undefined;
        for (const { reject: fail } of pending.values()) fail(new Error(UNREACHABLE_MESSAGE));
        pending.clear();
        if (bridge && !announcedDown) {
          announcedDown = true;
          for (const listener of stateListeners) listener('down');
        }
        setTimeout(open, delay);
        delay = Math.min(maxDelay, delay * 2);
      });
      current.addEventListener('message', (message: MessageEvent<string | ArrayBuffer>) => {
        if (typeof message.data !== 'string') {
          emit(decodeChunk(message.data));
          return;
        }
        const frame = JSON.parse(message.data) as ServerFrame;
        switch (frame.t) {
          case 'hello':
            delay = firstDelay;
            announcedDown = false;
            if (!bridge) {
              bridge = makeBridge(frame.platform);
              resolve(bridge);
            }
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
    };
    options.signal?.addEventListener('abort', () => socket?.close());
    open();
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
      send: (request: WorkerRequest) => void send({ t: 'req', request }),
      onEvent: subscribe(eventListeners),
      onWorkerState: subscribe(stateListeners),
      onCommand: subscribe(commandListeners),
      getSettings: () => call<Settings>('getSettings'),
      updateSettings: (patch: SettingsPatch) => call<SettingsResult>('updateSettings', patch),
      readClipboard: () => call<string>('readClipboard'),
    };
  }
}

function defaultUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${BRIDGE_PATH}`;
}

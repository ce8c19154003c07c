// Runs in the Electron main process (and tests, under plain Node): main's side of the worker
// connections. The supervisor calls `connect` and `down` for each client (a window or main
// itself); main's own client asks the worker for the voices (for the tray menu and the settings
// voice check) and which providers work here. No Electron import at run time: the channel and the
// port hand-over come in through the deps.

import type { ErrorCode, PortLike, ProviderChoice, ProviderId, VoiceInfo } from '../../src-worker/protocol/messages.ts';
import type { WorkerClient } from '../preload/worker-client.ts';
import type { AppWindow, Client } from '../windows/window-registry.ts';

/** What the link needs from the app; `Port` is the channel end (Electron's MessagePortMain). */
export interface WorkerLinkDeps<Worker, Port, W extends AppWindow> {
  /** Main's own client (createWorkerClient). */
  client: WorkerClient;
  /** Opens a channel to `worker`; returns our end. */
  openChannel(worker: Worker): Port;
  /** Wraps our end of a channel as the protocol's PortLike, for main's client. */
  portLike(port: Port): PortLike;
  /** Hands a window its end of the channel (TO_RENDERER.workerPort). */
  givePort(window: W, port: Port): void;
  /** Tells a window the worker died (TO_RENDERER.workerDown). */
  tellDown(window: W, reason: string): void;
  /** The installed voices arrived (the settings voice is checked against them). */
  onVoices(): void;
  /** Something the tray shows changed (worker up or down, voices, providers). */
  onChange(): void;
}

/** Main's view of the worker. */
export interface WorkerLink<Worker, W extends AppWindow> {
  /** The supervisor's `connect`. */
  connect(worker: Worker, client: Client<W>): void;
  /** The supervisor's `workerDown`. */
  down(client: Client<W>, reason: string): void;
  /** Whether the last connection made is up. */
  workerUp(): boolean;
  voices(): VoiceInfo[];
  /** Why the worker could not list the voices (the model is not downloaded yet), until it can. */
  voicesProblem(): { code: ErrorCode; message: string } | undefined;
  /** The installed voice ids, once the worker has listed them (see [Note: Settings name installed voices]). */
  knownVoices(): ReadonlySet<string> | undefined;
  /** Providers that cannot work here, with the reason. */
  unavailable(): Partial<Record<ProviderId, string>>;
  /** Asks the worker to switch provider. */
  setProvider(provider: ProviderChoice): void;
}

/**
 * How long main waits to ask again for voices the worker could not list: on a first run they
 * arrive with the model download, which a window starts; the tray fills in soon after.
 */
export const VOICES_RETRY_MS = 5_000;

/** Wires main's client to the worker; nothing is sent until the supervisor connects it. */
export function setupWorkerLink<Worker, Port, W extends AppWindow>(deps: WorkerLinkDeps<Worker, Port, W>): WorkerLink<Worker, W> {
  const { client } = deps;
  let up = false;
  let voices: VoiceInfo[] = [];
  let voicesProblem: { code: ErrorCode; message: string } | undefined;
  let voicesRequest = '';
  let retry: ReturnType<typeof setTimeout> | undefined;
  let unavailable: Partial<Record<ProviderId, string>> = {};
  let serial = 0;
  const id = (kind: string): string => `main-${kind}-${++serial}`;
  const askVoices = (): void => {
    voicesRequest = id('voices');
    client.send({ type: 'list-voices', id: voicesRequest });
  };

  client.onState((state) => {
    clearTimeout(retry);
    retry = undefined;
    if (state !== 'up') return;
    askVoices();
    client.send({ type: 'status', id: id('status') });
  });
  client.onEvent((event) => {
    if (event.type === 'voices') {
      voices = event.voices;
      voicesProblem = undefined;
      deps.onVoices();
    } else if (event.type === 'error' && event.id === voicesRequest && event.code !== 'worker-crashed') {
      // (A crash fails the request too; the tray shows that as the worker restarting.)
      voicesProblem = { code: event.code, message: event.message };
      clearTimeout(retry);
      retry = setTimeout(() => {
        retry = undefined;
        if (client.state === 'up') askVoices();
      }, VOICES_RETRY_MS);
      retry.unref?.(); // Never what keeps main alive.
    } else if (event.type === 'provider') {
      unavailable = {};
      for (const option of event.state.options) {
        if (!option.available) unavailable[option.provider] = option.reason ?? 'unavailable';
      }
    } else return;
    deps.onChange();
  });

  return {
    connect(worker, target) {
      const port = deps.openChannel(worker);
      if (target.kind === 'main') client.attach(deps.portLike(port));
      else if (!target.window.isDestroyed()) deps.givePort(target.window, port);
      up = true;
      deps.onChange();
    },
    down(target, reason) {
      up = false;
      if (target.kind === 'main') client.workerDown(reason);
      else if (!target.window.isDestroyed()) deps.tellDown(target.window, reason);
      deps.onChange();
    },
    workerUp: () => up,
    voices: () => voices,
    voicesProblem: () => voicesProblem,
    knownVoices: () => (voices.length === 0 ? undefined : new Set(voices.map((voice) => voice.id))),
    unavailable: () => unavailable,
    setProvider(provider) {
      client.send({ type: 'set-provider', id: id('provider'), provider });
    },
  };
}

// Runs in the Electron main process (and tests, under plain Node): main's side of the worker
// connections. The supervisor calls `connect` and `down` for each client (a window or main
// itself); main's own client asks the worker for the voices (for the tray menu and the settings
// voice check) and which providers work here. No Electron import at run time: the channel and the
// port hand-over come in through the deps.

import type { PortLike, ProviderChoice, ProviderId, VoiceInfo } from '../../src-worker/protocol/messages.ts';
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
  /** The installed voice ids, once the worker has listed them (see [Note: Settings name installed voices]). */
  knownVoices(): ReadonlySet<string> | undefined;
  /** Providers that cannot work here, with the reason. */
  unavailable(): Partial<Record<ProviderId, string>>;
  /** Asks the worker to switch provider. */
  setProvider(provider: ProviderChoice): void;
}

/** Wires main's client to the worker; nothing is sent until the supervisor connects it. */
export function setupWorkerLink<Worker, Port, W extends AppWindow>(deps: WorkerLinkDeps<Worker, Port, W>): WorkerLink<Worker, W> {
  const { client } = deps;
  let up = false;
  let voices: VoiceInfo[] = [];
  let unavailable: Partial<Record<ProviderId, string>> = {};
  let serial = 0;
  const id = (kind: string): string => `main-${kind}-${++serial}`;

  client.onState((state) => {
    if (state !== 'up') return;
    client.send({ type: 'list-voices', id: id('voices') });
    client.send({ type: 'status', id: id('status') });
  });
  client.onEvent((event) => {
    if (event.type === 'voices') {
      voices = event.voices;
      deps.onVoices();
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
    knownVoices: () => (voices.length === 0 ? undefined : new Set(voices.map((voice) => voice.id))),
    unavailable: () => unavailable,
    setProvider(provider) {
      client.send({ type: 'set-provider', id: id('provider'), provider });
    },
  };
}

// Runs in the Electron main process (and tests, under plain Node): the app's windows and what
// main knows about each: the worker client it is, whether its page has loaded (commands wait for
// that), and what its player is doing (for the tray). No Electron import at run time: windows are
// created by the `create` the caller passes (windows.ts's createWindow in the app, fakes in tests).

import type { AppCommand, AppView } from '../../src-worker/protocol/messages.ts';
import type { PlaybackState } from '../tray/tray-menu.ts';

/** The popover (the audio host, created hidden at start) or the app window (the other views). */
export type WindowName = 'popover' | 'app';

/** The parts of an Electron BrowserWindow the registry uses. */
export interface AppWindow {
  readonly webContents: {
    readonly id: number;
    send(channel: string, ...args: unknown[]): void;
    on(event: 'did-finish-load' | 'did-start-loading', listener: () => void): unknown;
  };
  isDestroyed(): boolean;
  show(): void;
  hide(): void;
  focus(): void;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

/** Who the supervisor connects to the worker: a window, or main itself (voices, provider). */
export type Client<W extends AppWindow> = { kind: 'window'; name: WindowName; window: W } | { kind: 'main' };

/** What the registry needs from the app. */
export interface WindowDeps<W extends AppWindow> {
  /** Creates a window showing `view` (hidden; the registry shows it when asked). */
  create(name: WindowName, view: AppView): W;
  /** The channel commands go on (TO_RENDERER.command). */
  commandChannel: string;
  /** True once the app is quitting (the popover may close then). */
  isQuitting(): boolean;
  /** Shows or hides the popover by the tray icon. */
  togglePopover(popover: W): void;
  /** A window closed: its worker client is gone. */
  onClosed(client: Client<W>): void;
  /** Something the tray shows changed (a window's playback, a window closed). */
  onChange(): void;
}

/** The windows, by name and by webContents id. */
export interface WindowRegistry<W extends AppWindow> {
  /** The window `name`, created (showing `view`) if it does not exist. */
  get(name: WindowName, view: AppView): W;
  /** Sends a command to a window, after its page has loaded. */
  send(window: W, command: AppCommand): void;
  /** Sends a command to every window. */
  broadcast(command: AppCommand): void;
  /** Shows a view: the popover by the tray for `speak`, else the app window on that view. */
  showView(view: AppView): void;
  /** The window client whose webContents has `id`, if it is one of ours. */
  clientOf(webContentsId: number): Client<W> | undefined;
  /** The webContents ids of our windows. */
  ids(): ReadonlySet<number>;
  /** Records what a window's player is doing. */
  setPlayback(webContentsId: number, state: PlaybackState): void;
  /** What the app as a whole is doing: speaking if any window is, else paused if any is. */
  playback(): PlaybackState;
  /** The window whose player is speaking or paused, if any. */
  playingWindow(): W | undefined;
  /** Name and window of each open window. */
  entries(): Array<[WindowName, W]>;
}

/** Creates the registry; no window exists until one is asked for. */
export function setupWindows<W extends AppWindow>(deps: WindowDeps<W>): WindowRegistry<W> {
  const windows = new Map<WindowName, W>();
  const clients = new Map<number, Client<W> & { kind: 'window' }>();
  const playback = new Map<number, PlaybackState>();
  const loaded = new WeakSet<W>();
  const queued = new WeakMap<W, AppCommand[]>();

  const get = (name: WindowName, view: AppView): W => {
    const existing = windows.get(name);
    if (existing !== undefined && !existing.isDestroyed()) return existing;
    const window = deps.create(name, view);
    const id = window.webContents.id;
    const client = { kind: 'window', name, window } as const;
    windows.set(name, window);
    clients.set(id, client);
    window.webContents.on('did-finish-load', () => {
      loaded.add(window);
      for (const command of queued.get(window) ?? []) window.webContents.send(deps.commandChannel, command);
      queued.delete(window);
    });
    window.webContents.on('did-start-loading', () => loaded.delete(window));
    window.on('close', (event) => {
      // The popover is the audio host: closing only hides it.
      if (name === 'popover' && !deps.isQuitting()) {
        event.preventDefault();
        window.hide();
      }
    });
    window.on('closed', () => {
      deps.onClosed(client);
      clients.delete(id);
      playback.delete(id);
      windows.delete(name);
      deps.onChange();
    });
    return window;
  };

  const send = (window: W, command: AppCommand): void => {
    if (window.isDestroyed()) return;
    if (loaded.has(window)) window.webContents.send(deps.commandChannel, command);
    else queued.set(window, [...(queued.get(window) ?? []), command]);
  };

  return {
    get,
    send,
    broadcast(command) {
      for (const window of windows.values()) send(window, command);
    },
    showView(view) {
      if (view === 'speak') {
        deps.togglePopover(get('popover', 'speak'));
        return;
      }
      const window = get('app', view);
      send(window, { type: 'show-view', view });
      window.show();
      window.focus();
    },
    clientOf: (id) => clients.get(id),
    ids: () => new Set(clients.keys()),
    setPlayback(id, state) {
      if (!clients.has(id)) return;
      playback.set(id, state);
      deps.onChange();
    },
    playback() {
      const states = [...playback.values()];
      if (states.includes('speaking')) return 'speaking';
      if (states.includes('paused')) return 'paused';
      return 'idle';
    },
    playingWindow() {
      for (const [id, state] of playback) {
        const client = clients.get(id);
        if (state !== 'idle' && client !== undefined) return client.window;
      }
      return undefined;
    },
    entries: () => [...windows.entries()],
  };
}

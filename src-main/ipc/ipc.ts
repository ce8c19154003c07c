// Runs in the Electron main process (and tests, under plain Node): the IPC handlers for the
// preload's channels (ipc-contract.ts). Every sender is checked first (see [Note: Windows are
// locked down]): a message from a frame or window that is not ours is refused (invoke) or dropped
// (send). No Electron import at run time: ipcMain comes in through the deps.

import type { SettingsResult } from '../../src-worker/protocol/messages.ts';
import { isTrustedSender } from '../windows/window-security.ts';
import type { AppWindow, Client } from '../windows/window-registry.ts';
import { INVOKE, SEND, playbackStateSchema } from './ipc-contract.ts';
import type { PlaybackState } from '../tray/tray-menu.ts';

/** The parts of an IPC event the sender check reads (Electron's IpcMainEvent and IpcMainInvokeEvent fit). */
export interface IpcEventLike {
  readonly sender: { readonly id: number; readonly mainFrame: unknown };
  readonly senderFrame: { readonly url: string } | null | undefined;
}

/** The parts of Electron's ipcMain we use. */
export interface IpcMainLike<E extends IpcEventLike> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: E, ...args: unknown[]) => void): unknown;
}

/** What the handlers need from the app. */
export interface IpcDeps<E extends IpcEventLike, W extends AppWindow> {
  ipcMain: IpcMainLike<E>;
  /** Our window client with this webContents id, if it is one. */
  clientOf(webContentsId: number): Client<W> | undefined;
  /** The webContents ids of our windows. */
  ours(): ReadonlySet<number>;
  settings(): unknown;
  updateSettings(patch: unknown): Promise<SettingsResult>;
  /** The clipboard's text, cleaned for speaking (clipboard-text.ts). */
  readClipboard(): string;
  /** "Connect me to the worker" (the supervisor's addClient). */
  connectWorker(client: Client<W>): void;
  setPlayback(webContentsId: number, state: PlaybackState): void;
}

/** Registers every handler. */
export function setupIpc<E extends IpcEventLike, W extends AppWindow>(deps: IpcDeps<E, W>): void {
  const trusted = (event: E): Client<W> | null => {
    const frame = event.senderFrame;
    const facts = {
      webContentsId: event.sender.id,
      frameUrl: frame?.url ?? null,
      isMainFrame: frame !== null && frame !== undefined && frame === event.sender.mainFrame,
    };
    return isTrustedSender(facts, deps.ours()) ? (deps.clientOf(event.sender.id) ?? null) : null;
  };

  const handle = (channel: string, handler: (...args: unknown[]) => unknown): void => {
    deps.ipcMain.handle(channel, (event, ...args) => {
      if (trusted(event) === null) throw new Error(`Refused ${channel}: the sender is not a Kokoro Bar window.`);
      return handler(...args);
    });
  };

  handle(INVOKE.getSettings, () => deps.settings());
  handle(INVOKE.updateSettings, (patch) => deps.updateSettings(patch));
  handle(INVOKE.readClipboard, () => deps.readClipboard());

  deps.ipcMain.on(SEND.requestWorkerPort, (event) => {
    const client = trusted(event);
    if (client !== null) deps.connectWorker(client);
  });
  deps.ipcMain.on(SEND.playbackState, (event, state) => {
    const parsed = playbackStateSchema.safeParse(state);
    if (trusted(event) === null || !parsed.success) return;
    deps.setPlayback(event.sender.id, parsed.data);
  });
}

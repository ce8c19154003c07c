// Test helper (plain Node): fakes of the few Electron objects the main-process setup modules
// take through their deps (a window, ipcMain, a tray), recording what is done to them so the
// tests can check behaviour: what a tray click, an IPC message or a window event leads to.

import type { AppCommand } from '../../src-worker/protocol/messages.ts';
import type { AppWindow } from '../../src-main/windows/window-registry.ts';
import type { IpcEventLike } from '../../src-main/ipc/ipc.ts';

let nextId = 1;

/** A BrowserWindow stand-in: events fire on demand, sends are recorded. */
export class FakeWindow implements AppWindow {
  readonly sent: Array<[string, ...unknown[]]> = [];
  readonly posted: Array<{ channel: string; ports: unknown[] }> = [];
  visible = false;
  focused = 0;
  destroyed = false;
  url = 'app://renderer/index.html';
  readonly #listeners = new Map<string, Array<(...args: never[]) => void>>();
  readonly #contentListeners = new Map<string, Array<() => void>>();
  readonly webContents;

  constructor() {
    const id = nextId++;
    const self = this;
    this.webContents = {
      id,
      mainFrame: { url: this.url },
      send: (channel: string, ...args: unknown[]) => void self.sent.push([channel, ...args]),
      postMessage: (channel: string, _message: unknown, ports: unknown[]) => void self.posted.push({ channel, ports }),
      on(event: 'did-finish-load' | 'did-start-loading', listener: () => void) {
        self.#contentListeners.set(event, [...(self.#contentListeners.get(event) ?? []), listener]);
      },
      getURL: () => self.url,
    };
  }

  /** The commands sent on `channel`, in order. */
  commands(channel: string): AppCommand[] {
    return this.sent.filter(([c]) => c === channel).map(([, command]) => command as AppCommand);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }
  isVisible(): boolean {
    return this.visible;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused++;
  }
  on(event: 'close' | 'closed', listener: (event: { preventDefault(): void }) => void): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), listener as (...args: never[]) => void]);
    return this;
  }

  /** Fires a webContents event. */
  content(event: 'did-finish-load' | 'did-start-loading'): void {
    for (const listener of this.#contentListeners.get(event) ?? []) listener();
  }

  /** Asks the window to close; returns whether it was prevented. */
  close(): boolean {
    let prevented = false;
    for (const listener of this.#listeners.get('close') ?? []) listener({ preventDefault: () => (prevented = true) } as never);
    return prevented;
  }

  /** The window has gone. */
  closed(): void {
    this.destroyed = true;
    for (const listener of this.#listeners.get('closed') ?? []) (listener as () => void)();
  }
}

/** An IPC event from `window`'s main frame (or another frame, or another sender). */
export function ipcEvent(
  window: { webContents: { id: number; mainFrame: { url: string } } },
  frame: 'main' | 'sub' = 'main',
): IpcEventLike {
  const mainFrame = window.webContents.mainFrame;
  return {
    sender: { id: window.webContents.id, mainFrame },
    senderFrame: frame === 'main' ? mainFrame : { url: mainFrame.url },
  };
}

/** An ipcMain stand-in: the registered handlers, callable as a window would call them. */
export class FakeIpcMain {
  readonly handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => unknown>();
  readonly listeners = new Map<string, (event: IpcEventLike, ...args: unknown[]) => void>();

  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void {
    this.handlers.set(channel, listener);
  }
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): this {
    this.listeners.set(channel, listener);
    return this;
  }

  /** ipcRenderer.invoke: resolves or rejects as Electron would. */
  async invoke(channel: string, event: IpcEventLike, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`no handler for ${channel}`);
    return handler(event, ...args);
  }
  /** ipcRenderer.send. */
  send(channel: string, event: IpcEventLike, ...args: unknown[]): void {
    const listener = this.listeners.get(channel);
    if (listener === undefined) throw new Error(`no listener for ${channel}`);
    listener(event, ...args);
  }
}

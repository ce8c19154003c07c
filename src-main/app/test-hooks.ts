// Runs in the Electron main process (and tests, under plain Node): the test hooks the Playwright
// Electron tests call (test/main/electron-app.test.ts) to read state and to trigger the same
// handlers the tray and the global shortcuts call (a test cannot press a global shortcut or click
// a tray icon). Exposed only when the test switches ask for them (see [Note: Test switches are
// for unpackaged runs] in test-switches.ts).

import type { HotkeySlot } from '../shortcuts/accelerators.ts';
import type { PlaybackState, TrayAction } from '../tray/tray-menu.ts';
import type { Commands } from './commands.ts';

/** Where the hooks are put: `globalThis.__kokoroBar`. */
export const TEST_HOOKS_KEY = '__kokoroBar';

/** The parts of an Electron Menu the hooks read. */
export interface MenuLike {
  items: Array<{ label: string; type: string; submenu?: MenuLike | null }>;
}

/** The parts of a BrowserWindow the hooks read. */
export interface WindowFacts {
  isVisible(): boolean;
  readonly webContents: { getURL(): string };
}

/** What the hooks read and trigger. */
export interface TestHookDeps {
  /** The tray menu as it would pop up now. */
  menu(): MenuLike;
  trayAction(action: TrayAction): Promise<void>;
  commands: Commands;
  registeredHotkeys(): Partial<Record<HotkeySlot, string>>;
  windows(): Array<[string, WindowFacts]>;
  playback(): PlaybackState;
  workerUp(): boolean;
  voiceCount(): number;
  spawns(): number;
  /** Milliseconds since the epoch, sub-millisecond (the `actionAt` of speech). */
  now(): number;
}

/** The hooks, as the Electron tests call them. */
export interface TestHooks {
  menuLabels(): string[];
  submenuLabels(label: string): string[];
  hotkeyAction(slot: HotkeySlot): void;
  trayAction(action: TrayAction): Promise<void>;
  registeredHotkeys(): Partial<Record<HotkeySlot, string>>;
  windows(): Array<{ name: string; url: string; visible: boolean; webPreferences: unknown }>;
  playback(): PlaybackState;
  workerUp(): boolean;
  voices(): number;
  spawns(): number;
}

/** Builds the hooks over `deps`. */
export function createTestHooks(deps: TestHookDeps): TestHooks {
  return {
    menuLabels: () => deps.menu().items.map((item) => item.label || item.type),
    submenuLabels: (label) =>
      deps
        .menu()
        .items.find((item) => item.label === label)
        ?.submenu?.items.map((item) => item.label) ?? [],
    hotkeyAction(slot) {
      const at = deps.now();
      if (slot === 'speakClipboard') deps.commands.speakClipboard(at);
      else if (slot === 'speakSelection') void deps.commands.speakSelection(at);
      else deps.commands.stopAll();
    },
    trayAction: (action) => deps.trayAction(action),
    registeredHotkeys: () => deps.registeredHotkeys(),
    windows: () =>
      deps.windows().map(([name, window]) => ({
        name,
        url: window.webContents.getURL(),
        visible: window.isVisible(),
        // Undocumented but long-standing: the preferences the renderer really got.
        webPreferences: (window.webContents as unknown as { getLastWebPreferences?: () => unknown }).getLastWebPreferences?.() ?? null,
      })),
    playback: () => deps.playback(),
    workerUp: () => deps.workerUp(),
    voices: () => deps.voiceCount(),
    spawns: () => deps.spawns(),
  };
}

/** Puts the hooks on `target` (globalThis in the app) under TEST_HOOKS_KEY. */
export function exposeTestHooks(target: Record<string, unknown>, deps: TestHookDeps): void {
  target[TEST_HOOKS_KEY] = createTestHooks(deps);
}

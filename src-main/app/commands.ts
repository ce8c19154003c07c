// Runs in the Electron main process (and tests, under plain Node): what a hotkey or a tray item
// does (see [Note: The flow of a hotkey] in main.ts): speak the clipboard or the selection in the
// popover, stop, pause or resume, and tell the user something. No Electron import at run time:
// the clipboard, the selection copy and system notifications come in through the deps.

import type { AppCommand } from '../../src-worker/protocol/messages.ts';
import { cleanClipboardText } from '../selection/clipboard-text.ts';
import type { SelectionResult } from '../selection/copy-selection.ts';
import type { AppWindow, WindowRegistry } from '../windows/window-registry.ts';

/** How loud a notice is: info notifications are silent. */
export type NoticeLevel = Extract<AppCommand, { type: 'notice' }>['level'];

/** What the commands need from the app. */
export interface CommandDeps<W extends AppWindow> {
  windows: WindowRegistry<W>;
  /** The clipboard's plain text, as it is. */
  readClipboard(): string;
  /** Copies the selection (copy-selection.ts), calling `onText` as soon as it is read. */
  copySelection(onText: (text: string) => void): Promise<SelectionResult>;
  /** Asks macOS for the Accessibility permission (it shows its own prompt once). */
  promptForAccessibility(): void;
  /** Opens the Accessibility pane of System Settings. */
  openAccessibilitySettings(): void;
  /** Shows a system notification, if the system has them; `onClick` runs when it is clicked. */
  showNotification(level: NoticeLevel, message: string, onClick?: () => void): void;
}

/** The actions hotkeys, the tray and the test hooks share. */
export interface Commands {
  /** Tells the user something: in the popover's notice area and as a system notification. */
  notify(level: NoticeLevel, message: string, onClick?: () => void): void;
  speakClipboard(actionAt: number): void;
  speakSelection(actionAt: number): Promise<void>;
  stopAll(): void;
  togglePause(): void;
}

/** Creates the commands over `deps`. */
export function setupCommands<W extends AppWindow>(deps: CommandDeps<W>): Commands {
  const { windows } = deps;
  const popover = (): W => windows.get('popover', 'speak');

  const notify = (level: NoticeLevel, message: string, onClick?: () => void): void => {
    windows.send(popover(), { type: 'notice', level, message });
    deps.showNotification(level, message, onClick);
  };

  return {
    notify,
    speakClipboard(actionAt) {
      const text = cleanClipboardText(deps.readClipboard());
      if (text === '') {
        notify('info', 'The clipboard has no text to read. Copy some text first.');
        return;
      }
      windows.send(popover(), { type: 'speak-text', text, source: 'clipboard', actionAt });
    },
    async speakSelection(actionAt) {
      // Speech starts as soon as the text is read; the clipboard restore runs meanwhile.
      const result = await deps.copySelection((text) =>
        windows.send(popover(), { type: 'speak-text', text, source: 'selection', actionAt }),
      );
      if (result.ok) return;
      if (result.reason === 'accessibility') {
        deps.promptForAccessibility();
        notify('warning', `${result.message} ${result.action}`, () => deps.openAccessibilitySettings());
        return;
      }
      notify(result.reason === 'no-selection' ? 'info' : 'warning', `${result.message} ${result.action}`);
    },
    stopAll() {
      windows.broadcast({ type: 'stop' });
    },
    togglePause() {
      // The window that is speaking gets it; if none is, the popover (hotkey speech plays there).
      windows.send(windows.playingWindow() ?? popover(), { type: 'toggle-pause' });
    },
  };
}

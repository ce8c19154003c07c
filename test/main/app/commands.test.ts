// Runs under node:test: what a hotkey or tray item does, with fake windows, clipboard, selection
// copy and notifications: speech goes to the popover, problems become notices, pause goes to
// the window that is playing.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setupCommands, type NoticeLevel } from '../../../src-main/app/commands.ts';
import type { SelectionResult } from '../../../src-main/selection/copy-selection.ts';
import { setupWindows } from '../../../src-main/windows/window-registry.ts';
import { FakeWindow } from '../fake-electron.ts';

const COMMAND = 'test:command';

function app(options: { clipboard?: string; selection?: SelectionResult } = {}) {
  const windows = setupWindows<FakeWindow>({
    create: () => new FakeWindow(),
    commandChannel: COMMAND,
    isQuitting: () => false,
    togglePopover: () => undefined,
    onClosed: () => undefined,
    onChange: () => undefined,
  });
  const notifications: Array<{ level: NoticeLevel; message: string; onClick: (() => void) | undefined }> = [];
  const effects: string[] = [];
  const commands = setupCommands({
    windows,
    readClipboard: () => options.clipboard ?? '',
    async copySelection(onText) {
      const result: SelectionResult = options.selection ?? { ok: true, text: 'selected text', restored: true };
      if (result.ok) onText(result.text);
      return result;
    },
    promptForAccessibility: () => void effects.push('prompt'),
    openAccessibilitySettings: () => void effects.push('open-settings'),
    showNotification: (level, message, onClick) => void notifications.push({ level, message, onClick }),
  });
  // The popover is where speech plays; make it exist and load, as at start.
  const popover = windows.get('popover', 'speak');
  popover.content('did-finish-load');
  return { windows, commands, notifications, effects, popover };
}

test('speak clipboard sends the cleaned clipboard text to the popover with the action time', () => {
  const a = app({ clipboard: '  Hello\u0000 there.  ' });
  a.commands.speakClipboard(1234.5);
  assert.deepEqual(a.popover.commands(COMMAND), [{ type: 'speak-text', text: 'Hello there.', source: 'clipboard', actionAt: 1234.5 }]);
  assert.deepEqual(a.notifications, []);
});

test('an empty clipboard is an info notice in the popover and a silent notification, nothing spoken', () => {
  const a = app({ clipboard: '   ' });
  a.commands.speakClipboard(1);
  const notice = { type: 'notice', level: 'info', message: 'The clipboard has no text to read. Copy some text first.' };
  assert.deepEqual(a.popover.commands(COMMAND), [notice]);
  assert.deepEqual(
    a.notifications.map((n) => [n.level, n.message]),
    [['info', notice.message]],
  );
});

test('speak selection sends the selection; each failure is its own notice', async () => {
  const ok = app();
  await ok.commands.speakSelection(7);
  assert.deepEqual(ok.popover.commands(COMMAND), [{ type: 'speak-text', text: 'selected text', source: 'selection', actionAt: 7 }]);

  const cases: Array<[SelectionResult, NoticeLevel, string[]]> = [
    [{ ok: false, reason: 'no-selection', message: 'No text.', action: 'Select some.' }, 'info', []],
    [{ ok: false, reason: 'copy-failed', message: 'Copy failed.', action: 'Try again.' }, 'warning', []],
    [{ ok: false, reason: 'accessibility', message: 'Needs access.', action: 'Allow it.' }, 'warning', ['prompt']],
  ];
  for (const [selection, level, effects] of cases) {
    const a = app({ selection });
    await a.commands.speakSelection(1);
    const message = selection.ok ? '' : `${selection.message} ${selection.action}`;
    assert.deepEqual(a.popover.commands(COMMAND), [{ type: 'notice', level, message }], message);
    assert.deepEqual(a.effects, effects, message);
    const [notification] = a.notifications;
    if (!selection.ok && selection.reason === 'accessibility') {
      notification?.onClick?.();
      assert.deepEqual(a.effects, ['prompt', 'open-settings'], 'clicking the notification opens System Settings');
    } else assert.equal(notification?.onClick, undefined);
  }
});

test('stop goes to every window; pause goes to the window that is playing, else the popover', () => {
  const a = app();
  const other = a.windows.get('app', 'dashboard');
  other.content('did-finish-load');
  a.commands.stopAll();
  assert.deepEqual([a.popover.commands(COMMAND), other.commands(COMMAND)], [[{ type: 'stop' }], [{ type: 'stop' }]]);
  a.commands.togglePause();
  assert.deepEqual(a.popover.commands(COMMAND).at(-1), { type: 'toggle-pause' }, 'nothing playing: the popover');
  a.windows.setPlayback(other.webContents.id, 'speaking');
  a.commands.togglePause();
  assert.deepEqual(other.commands(COMMAND).at(-1), { type: 'toggle-pause' });
  assert.equal(a.popover.commands(COMMAND).length, 2, 'the popover did not get it');
});

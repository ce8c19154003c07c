// Runs under node:test: the test hooks the Electron tests drive the app with, over fake deps:
// they read the menu and the windows, and trigger the same commands hotkeys and the tray do.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Commands } from '../../../src-main/app/commands.ts';
import { TEST_HOOKS_KEY, exposeTestHooks, type MenuLike } from '../../../src-main/app/test-hooks.ts';
import type { TestHooks } from '../../../src-main/app/test-hooks.ts';
import type { TrayAction } from '../../../src-main/tray/tray-menu.ts';
import { FakeWindow } from '../fake-electron.ts';

function hooks() {
  const did: string[] = [];
  const acted: TrayAction[] = [];
  const commands: Commands = {
    notify: () => undefined,
    speakClipboard: (at) => void did.push(`clipboard@${at}`),
    speakSelection: async (at) => void did.push(`selection@${at}`),
    stopAll: () => void did.push('stop'),
    togglePause: () => void did.push('pause'),
  };
  const menu: MenuLike = {
    items: [
      { label: 'Speak Clipboard', type: 'normal' },
      { label: '', type: 'separator' },
      {
        label: 'Voice',
        type: 'submenu',
        submenu: {
          items: [
            { label: 'Heart', type: 'radio' },
            { label: 'George', type: 'radio' },
          ],
        },
      },
    ],
  };
  const popover = new FakeWindow();
  popover.visible = true;
  const target: Record<string, unknown> = {};
  exposeTestHooks(target, {
    menu: () => menu,
    trayAction: async (action) => void acted.push(action),
    commands,
    registeredHotkeys: () => ({ speakClipboard: 'Control+Alt+V' }),
    windows: () => [['popover', popover]],
    playback: () => 'paused',
    workerUp: () => true,
    voiceCount: () => 54,
    spawns: () => 2,
    now: () => 7,
  });
  return { h: target[TEST_HOOKS_KEY] as TestHooks, did, acted, popover };
}

test('the hooks read the menu, windows and state', () => {
  const { h, popover } = hooks();
  assert.deepEqual(h.menuLabels(), ['Speak Clipboard', 'separator', 'Voice']);
  assert.deepEqual(h.submenuLabels('Voice'), ['Heart', 'George']);
  assert.deepEqual(h.submenuLabels('Speed'), [], 'no such submenu');
  assert.deepEqual(h.windows(), [{ name: 'popover', url: popover.url, visible: true, webPreferences: null }]);
  assert.deepEqual(
    [h.registeredHotkeys(), h.playback(), h.workerUp(), h.voices(), h.spawns()],
    [{ speakClipboard: 'Control+Alt+V' }, 'paused', true, 54, 2],
  );
});

test('hotkey and tray hooks trigger the same commands, with the time they fire', async () => {
  const { h, did, acted } = hooks();
  h.hotkeyAction('speakClipboard');
  h.hotkeyAction('speakSelection');
  h.hotkeyAction('stop');
  assert.deepEqual(did, ['clipboard@7', 'selection@7', 'stop']);
  await h.trayAction({ type: 'toggle-pause' });
  assert.deepEqual(acted, [{ type: 'toggle-pause' }]);
});

// Runs under node:test: the window registry with fake windows: one window per name, commands held
// until the page has loaded, the popover only hidden on close, views shown, playback per window.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppView } from '../../../src-worker/protocol/messages.ts';
import { setupWindows, type Client, type WindowName } from '../../../src-main/windows/window-registry.ts';
import { FakeWindow } from '../fake-electron.ts';

const COMMAND = 'test:command';

function registry() {
  const created: Array<{ name: WindowName; view: AppView; window: FakeWindow }> = [];
  const closedClients: Client<FakeWindow>[] = [];
  const toggled: FakeWindow[] = [];
  let changes = 0;
  let quitting = false;
  const windows = setupWindows<FakeWindow>({
    create(name, view) {
      const window = new FakeWindow();
      created.push({ name, view, window });
      return window;
    },
    commandChannel: COMMAND,
    isQuitting: () => quitting,
    togglePopover: (popover) => void toggled.push(popover),
    onClosed: (client) => void closedClients.push(client),
    onChange: () => void changes++,
  });
  return { windows, created, closedClients, toggled, changes: () => changes, quit: () => (quitting = true) };
}

test('a window is created once per name and again after it has closed', () => {
  const r = registry();
  const popover = r.windows.get('popover', 'speak');
  assert.equal(r.windows.get('popover', 'dashboard'), popover, 'the existing window is reused');
  assert.deepEqual(
    r.created.map((c) => [c.name, c.view]),
    [['popover', 'speak']],
  );
  const app = r.windows.get('app', 'settings');
  assert.deepEqual(
    r.windows.entries().map(([name]) => name),
    ['popover', 'app'],
  );
  assert.deepEqual([...r.windows.ids()], [popover.webContents.id, app.webContents.id]);
  assert.deepEqual(r.windows.clientOf(app.webContents.id), { kind: 'window', name: 'app', window: app });

  app.closed();
  assert.deepEqual(r.closedClients, [{ kind: 'window', name: 'app', window: app }], 'its worker client is removed');
  assert.equal(r.windows.clientOf(app.webContents.id), undefined);
  assert.equal(r.changes(), 1, 'the tray is refreshed');
  assert.notEqual(r.windows.get('app', 'benchmark'), app, 'a new one is made');
});

test('commands wait for the page to load, in order, and wait again after a reload starts', () => {
  const r = registry();
  const popover = r.windows.get('popover', 'speak');
  r.windows.send(popover, { type: 'stop' });
  r.windows.send(popover, { type: 'toggle-pause' });
  assert.deepEqual(popover.commands(COMMAND), [], 'nothing before the page has loaded');
  popover.content('did-finish-load');
  assert.deepEqual(popover.commands(COMMAND), [{ type: 'stop' }, { type: 'toggle-pause' }]);
  r.windows.send(popover, { type: 'stop' });
  assert.equal(popover.commands(COMMAND).length, 3, 'sent at once once loaded');
  popover.content('did-start-loading');
  r.windows.send(popover, { type: 'toggle-pause' });
  assert.equal(popover.commands(COMMAND).length, 3, 'held during a reload');
  popover.content('did-finish-load');
  assert.equal(popover.commands(COMMAND).length, 4);
  popover.destroyed = true;
  r.windows.send(popover, { type: 'stop' });
  popover.content('did-finish-load');
  assert.equal(popover.commands(COMMAND).length, 4, 'nothing is sent to a destroyed window');
});

test('broadcast reaches every window', () => {
  const r = registry();
  const popover = r.windows.get('popover', 'speak');
  const app = r.windows.get('app', 'dashboard');
  popover.content('did-finish-load');
  app.content('did-finish-load');
  r.windows.broadcast({ type: 'stop' });
  assert.deepEqual([popover.commands(COMMAND), app.commands(COMMAND)], [[{ type: 'stop' }], [{ type: 'stop' }]]);
});

test('closing the popover only hides it, unless the app is quitting; other windows close', () => {
  const r = registry();
  const popover = r.windows.get('popover', 'speak');
  popover.show();
  assert.equal(popover.close(), true, 'prevented');
  assert.equal(popover.visible, false, 'hidden instead');
  assert.equal(r.windows.get('app', 'settings').close(), false);
  r.quit();
  assert.equal(popover.close(), false, 'closes when quitting');
});

test('showView: speak toggles the popover by the tray; the others show and focus the app window on that view', () => {
  const r = registry();
  r.windows.showView('speak');
  const popover = r.windows.get('popover', 'speak');
  assert.deepEqual(r.toggled, [popover]);
  r.windows.showView('benchmark');
  const app = r.windows.get('app', 'speak');
  assert.deepEqual(
    r.created.map((c) => [c.name, c.view]),
    [
      ['popover', 'speak'],
      ['app', 'benchmark'],
    ],
  );
  assert.equal(app.visible, true);
  assert.equal(app.focused, 1);
  app.content('did-finish-load');
  assert.deepEqual(app.commands(COMMAND), [{ type: 'show-view', view: 'benchmark' }]);
});

test('playback: speaking wins over paused over idle; the playing window is found; a closed window forgets its state', () => {
  const r = registry();
  const popover = r.windows.get('popover', 'speak');
  const app = r.windows.get('app', 'dashboard');
  const cases: Array<[[number, 'idle' | 'speaking' | 'paused'][], 'idle' | 'speaking' | 'paused', FakeWindow | undefined]> = [
    [[], 'idle', undefined],
    [[[popover.webContents.id, 'idle']], 'idle', undefined],
    [[[app.webContents.id, 'paused']], 'paused', app],
    [[[popover.webContents.id, 'speaking']], 'speaking', popover],
    [[[popover.webContents.id, 'idle']], 'paused', app],
    [[[app.webContents.id, 'idle']], 'idle', undefined],
  ];
  for (const [updates, expected, playing] of cases) {
    for (const [id, state] of updates) r.windows.setPlayback(id, state);
    assert.equal(r.windows.playback(), expected, JSON.stringify(updates));
    assert.equal(r.windows.playingWindow(), playing, JSON.stringify(updates));
  }
  r.windows.setPlayback(999, 'speaking');
  assert.equal(r.windows.playback(), 'idle', 'a webContents that is not ours is ignored');
  r.windows.setPlayback(app.webContents.id, 'speaking');
  app.closed();
  assert.equal(r.windows.playback(), 'idle', 'a closed window stops counting');
});

// Runs under node:test: main's IPC handlers with a fake ipcMain and fake windows: what each
// message from the preload does, and that a sender that is not the main frame of one of our
// windows showing our page is refused (invoke) or ignored (send).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Settings, SettingsResult } from '../../../src-worker/protocol/messages.ts';
import { INVOKE, SEND } from '../../../src-main/ipc/ipc-contract.ts';
import { setupIpc, type IpcEventLike } from '../../../src-main/ipc/ipc.ts';
import { defaultSettings } from '../../../src-main/settings/settings.ts';
import type { PlaybackState } from '../../../src-main/tray/tray-menu.ts';
import { setupWindows, type Client } from '../../../src-main/windows/window-registry.ts';
import { FakeIpcMain, FakeWindow, ipcEvent } from '../fake-electron.ts';

function app() {
  const ipcMain = new FakeIpcMain();
  const windows = setupWindows<FakeWindow>({
    create: () => new FakeWindow(),
    commandChannel: 'test:command',
    isQuitting: () => false,
    togglePopover: () => undefined,
    onClosed: () => undefined,
    onChange: () => undefined,
  });
  const connected: Client<FakeWindow>[] = [];
  const playback: Array<[number, PlaybackState]> = [];
  const patches: unknown[] = [];
  const settings: Settings = defaultSettings();
  setupIpc<IpcEventLike, FakeWindow>({
    ipcMain,
    clientOf: (id) => windows.clientOf(id),
    ours: () => windows.ids(),
    settings: () => settings,
    updateSettings: async (patch): Promise<SettingsResult> => {
      patches.push(patch);
      return { ok: true, settings };
    },
    readClipboard: () => 'clipboard text',
    connectWorker: (client) => void connected.push(client),
    setPlayback: (id, state) => void playback.push([id, state]),
  });
  const popover = windows.get('popover', 'speak');
  return { ipcMain, windows, popover, connected, playback, patches, settings };
}

test('our window: settings, a settings patch and the clipboard are answered', async () => {
  const a = app();
  const from = ipcEvent(a.popover);
  assert.equal(await a.ipcMain.invoke(INVOKE.getSettings, from), a.settings);
  assert.deepEqual(await a.ipcMain.invoke(INVOKE.updateSettings, from, { speed: 1.25 }), { ok: true, settings: a.settings });
  assert.deepEqual(a.patches, [{ speed: 1.25 }]);
  assert.equal(await a.ipcMain.invoke(INVOKE.readClipboard, from), 'clipboard text');
  assert.deepEqual(Object.keys(INVOKE).sort(), ['getSettings', 'readClipboard', 'updateSettings'], 'every channel has a handler');
  for (const channel of Object.values(INVOKE)) assert.ok(a.ipcMain.handlers.has(channel), channel);
});

test('our window asks for a worker port and reports its playback; a bad playback state is ignored', () => {
  const a = app();
  const from = ipcEvent(a.popover);
  a.ipcMain.send(SEND.requestWorkerPort, from);
  assert.deepEqual(a.connected, [{ kind: 'window', name: 'popover', window: a.popover }]);
  a.ipcMain.send(SEND.playbackState, from, 'speaking');
  a.ipcMain.send(SEND.playbackState, from, 'dancing');
  a.ipcMain.send(SEND.playbackState, from);
  assert.deepEqual(a.playback, [[a.popover.webContents.id, 'speaking']]);
});

test('senders that are not the main frame of our window showing our page are refused or ignored', async () => {
  const a = app();
  const stranger = new FakeWindow();
  const navigated = a.windows.get('app', 'settings');
  navigated.webContents.mainFrame.url = 'https://example.com/';
  const cases: Array<[string, IpcEventLike]> = [
    ['a window that is not ours', ipcEvent(stranger)],
    ['a subframe of our window', ipcEvent(a.popover, 'sub')],
    ['our window showing another page', ipcEvent(navigated)],
    ['a frame that has gone', { sender: ipcEvent(a.popover).sender, senderFrame: null }],
  ];
  for (const [who, event] of cases) {
    for (const channel of Object.values(INVOKE)) {
      await assert.rejects(a.ipcMain.invoke(channel, event, { speed: 1.5 }), /Refused .*not a Kokoro Bar window/, `${who}: ${channel}`);
    }
    a.ipcMain.send(SEND.requestWorkerPort, event);
    a.ipcMain.send(SEND.playbackState, event, 'speaking');
  }
  assert.deepEqual([a.patches, a.connected, a.playback], [[], [], []]);
});

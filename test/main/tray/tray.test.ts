// Runs under node:test: the tray with a fake Tray and Menu: a click shows the popover, a
// right-click pops up the menu built from the state, each menu item does its action, and the icon
// and tooltip follow the state.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import type { AppView, ProviderChoice } from '../../../src-worker/protocol/messages.ts';
import type { Commands } from '../../../src-main/app/commands.ts';
import { DEFAULT_HOTKEYS } from '../../../src-main/shortcuts/accelerators.ts';
import { setupTray, type TrayLike } from '../../../src-main/tray/tray.ts';
import type { TrayAction, TrayState } from '../../../src-main/tray/tray-menu.ts';

type Image = { speaking: boolean };
type Menu = { template: MenuItemConstructorOptions[] };

class FakeTray implements TrayLike<Image, Menu> {
  images: Image[] = [];
  tooltips: string[] = [];
  popped: Menu[] = [];
  readonly listeners = new Map<string, () => void>();
  constructor(image: Image) {
    this.images.push(image);
  }
  setImage(image: Image): void {
    this.images.push(image);
  }
  setToolTip(text: string): void {
    this.tooltips.push(text);
  }
  on(event: 'click' | 'right-click', listener: () => void): this {
    this.listeners.set(event, listener);
    return this;
  }
  popUpContextMenu(menu: Menu): void {
    this.popped.push(menu);
  }
}

function tray(overrides: Partial<TrayState> = {}) {
  const did: string[] = [];
  const patches: unknown[] = [];
  const switched: ProviderChoice[] = [];
  const views: AppView[] = [];
  let state: TrayState = {
    playback: 'idle',
    voice: 'af_heart',
    speed: 1,
    provider: { provider: 'coreml', coreml: { units: 'cpu-ane', mlProgram: true } },
    voices: [],
    favourites: [],
    unavailable: {},
    hotkeys: { ...DEFAULT_HOTKEYS },
    workerUp: true,
    ...overrides,
  };
  const commands: Commands = {
    notify: (level, message) => void did.push(`notify ${level} ${message}`),
    speakClipboard: (at) => void did.push(`clipboard@${at}`),
    speakSelection: async (at) => void did.push(`selection@${at}`),
    stopAll: () => void did.push('stop'),
    togglePause: () => void did.push('pause'),
  };
  let fake: FakeTray | undefined;
  const appTray = setupTray<Image, Menu>({
    createTray: (image) => (fake = new FakeTray(image)),
    icon: (speaking) => ({ speaking }),
    buildMenu: (template) => ({ template }),
    state: () => state,
    commands,
    updateSettings: async (patch) => void patches.push(patch),
    provider: () => state.provider,
    setProvider: (provider) => void switched.push(provider),
    showView: (view) => void views.push(view),
    quit: () => void did.push('quit'),
    now: () => 42,
  });
  assert.ok(fake);
  return { appTray, fake, did, patches, switched, views, setState: (next: Partial<TrayState>) => (state = { ...state, ...next }) };
}

const item = (menu: Menu, label: string): MenuItemConstructorOptions => {
  const found = menu.template.find((i) => i.label === label);
  assert.ok(found, `no item "${label}"`);
  return found;
};

test('a click shows the popover; a right-click pops up the menu', () => {
  const t = tray();
  t.fake.listeners.get('click')?.();
  assert.deepEqual(t.views, ['speak']);
  t.fake.listeners.get('right-click')?.();
  assert.equal(t.fake.popped.length, 1);
  assert.deepEqual(
    t.fake.popped[0]?.template.map((i) => i.label ?? i.type),
    [
      'Speak Clipboard',
      'Speak Selection',
      'Pause',
      'Stop',
      'separator',
      'Voice',
      'Speed',
      'Provider',
      'separator',
      'Dashboard…',
      'Benchmark…',
      'Settings…',
      'separator',
      'Quit Kokoro Bar',
    ],
  );
});

test('each menu action does what it says, speech with the time of the click', async () => {
  const cases: Array<[TrayAction, string[], unknown[], AppView[]]> = [
    [{ type: 'speak-clipboard' }, ['clipboard@42'], [], []],
    [{ type: 'speak-selection' }, ['selection@42'], [], []],
    [{ type: 'toggle-pause' }, ['pause'], [], []],
    [{ type: 'stop' }, ['stop'], [], []],
    [{ type: 'set-voice', voice: 'bm_george' }, [], [{ voice: 'bm_george' }], []],
    [{ type: 'set-speed', speed: 1.5 }, [], [{ speed: 1.5 }], []],
    [{ type: 'show-view', view: 'benchmark' }, [], [], ['benchmark']],
    [{ type: 'quit' }, ['quit'], [], []],
  ];
  for (const [action, did, patches, views] of cases) {
    const t = tray();
    await t.appTray.act(action);
    assert.deepEqual([t.did, t.patches, t.views, t.switched], [did, patches, views, []], JSON.stringify(action));
  }
});

test('a provider item keeps the CoreML options, stores them and asks the worker to switch', async () => {
  const t = tray();
  await t.appTray.act({ type: 'set-provider', provider: 'auto' });
  const provider = { provider: 'auto', coreml: { units: 'cpu-ane', mlProgram: true } };
  assert.deepEqual(t.patches, [{ provider }]);
  assert.deepEqual(t.switched, [provider]);
});

test('menu clicks reach the actions; shortcuts are shown beside their items but not registered', () => {
  const t = tray({ hotkeys: { speakClipboard: 'Control+Alt+V', speakSelection: '', stop: 'Control+Alt+X' } });
  const menu = t.appTray.menu();
  assert.equal(item(menu, 'Speak Clipboard').accelerator, 'Control+Alt+V');
  assert.equal(item(menu, 'Speak Clipboard').registerAccelerator, false);
  assert.equal(item(menu, 'Speak Selection').accelerator, undefined, 'no shortcut, none shown');
  assert.equal(item(menu, 'Stop').accelerator, 'Control+Alt+X');
  assert.equal(item(menu, 'Dashboard…').accelerator, undefined);
  item(menu, 'Speak Clipboard').click?.(undefined as never, undefined, undefined as never);
  assert.deepEqual(t.did, ['clipboard@42']);
});

test('refresh follows the state: the speaking icon, and the tooltip', () => {
  const t = tray();
  assert.deepEqual(t.fake.images, [{ speaking: false }, { speaking: false }], 'created, then refreshed once');
  assert.deepEqual(t.fake.tooltips, ['Kokoro Bar']);
  t.setState({ playback: 'speaking' });
  t.appTray.refresh();
  t.setState({ playback: 'paused', workerUp: false });
  t.appTray.refresh();
  assert.deepEqual(t.fake.images.slice(2), [{ speaking: true }, { speaking: false }]);
  assert.deepEqual(t.fake.tooltips.slice(1), ['Kokoro Bar — speaking (af_heart)', 'Kokoro Bar — speech engine restarting']);
});

// Runs under node:test, driving the real app through Playwright's Electron support: the tray
// menu, a hotkey's action → speech in the popover, windows with secure webPreferences, the worker
// restarted after a crash. Needs an Electron binary (a Mac, macOS CI); where there is none, as on
// our Linux machines, every test reports itself skipped with the reason.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import type { ElectronApplication, Page } from 'playwright-core';
import { TEST_ENV } from '../../src-main/ipc/ipc-contract.ts';
import { findElectron } from '../../src-main/tools/start.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Longest wait for the app to reach a state (worker up, speech started) on a slow CI machine. */
const STATE_TIMEOUT_MS = 120_000;
const POLL_MS = 250;

const electron = findElectron();
const skipReason = electron.ok
  ? null
  : `no Electron binary on this machine (${electron.reason}); these run where Electron is installed, e.g. macOS CI`;

interface Hooks {
  menuLabels(): string[];
  submenuLabels(label: string): string[];
  hotkeyAction(slot: 'speakClipboard' | 'speakSelection' | 'stop'): void;
  trayAction(action: unknown): Promise<void>;
  registeredHotkeys(): Record<string, string>;
  windows(): Array<{ name: string; url: string; visible: boolean; webPreferences: Record<string, unknown> | null }>;
  playback(): string;
  workerUp(): boolean;
  voices(): number;
  spawns(): number;
}

let app: ElectronApplication | null = null;
let popover: Page | null = null;

/** Evaluates `fn` against the app's test hooks in the main process. */
async function hooks<T>(fn: (h: Hooks, arg: unknown) => T | Promise<T>, arg?: unknown): Promise<T> {
  assert.ok(app);
  return app.evaluate(
    (_electron, [source, value]) => {
      const h = (globalThis as Record<string, unknown>)['__kokoroBar'];
      return (new Function('h', 'arg', `return (${source})(h, arg);`) as (h: unknown, a: unknown) => unknown)(h, value);
    },
    [fn.toString(), arg] as const,
  ) as Promise<T>;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + STATE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  if (!electron.ok) return;
  // The app runs from the built bundles, as `npm start` would run it.
  for (const [command, args] of [
    [process.execPath, ['--import', 'tsx', 'src-main/tools/build-main.ts']],
    ['npx', ['vite', 'build']],
  ] as const) {
    const result = spawnSync(command, [...args], { cwd: ROOT, stdio: 'inherit' });
    assert.equal(result.status, 0, `${command} ${args.join(' ')} failed`);
  }
  assert.ok(existsSync(path.join(ROOT, 'dist/renderer/index.html')), 'the renderer was built');
  const { _electron } = await import('playwright-core');
  app = await _electron.launch({
    executablePath: electron.binary,
    args: [ROOT],
    env: {
      ...process.env,
      [TEST_ENV.userData]: mkdtempSync(path.join(os.tmpdir(), 'kokoro-bar-e2e-')),
      [TEST_ENV.hooks]: '1',
    } as Record<string, string>,
  });
  popover = await app.firstWindow();
  await waitFor('the test hooks', () => app!.evaluate(() => '__kokoroBar' in globalThis));
});

after(async () => {
  await app?.close();
});

test('windows open with secure webPreferences and only the bridge', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  const windows = await hooks((h) => h.windows());
  const pop = windows.find((w) => w.name === 'popover');
  assert.ok(pop, 'the popover window exists from the start');
  assert.match(pop.url, /^app:\/\/renderer\/index\.html/);
  const prefs = pop.webPreferences;
  if (prefs !== null) {
    assert.equal(prefs['contextIsolation'], true);
    assert.equal(prefs['sandbox'], true);
    assert.equal(prefs['nodeIntegration'], false);
    assert.equal(prefs['webviewTag'], false);
  }
  assert.ok(popover);
  const page = await popover.evaluate(() => ({
    bridge: Object.keys((window as unknown as { kokoro: object }).kokoro).sort(),
    require: typeof (globalThis as Record<string, unknown>)['require'],
    process: typeof (globalThis as Record<string, unknown>)['process'],
    csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]') !== null,
  }));
  assert.deepEqual(page.bridge, [
    'getSettings',
    'onCommand',
    'onEvent',
    'onWorkerState',
    'platform',
    'readClipboard',
    'send',
    'updateSettings',
  ]);
  assert.equal(page.require, 'undefined');
  assert.equal(page.process, 'undefined');
  // Navigation away from the app is refused.
  await popover.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  assert.match(popover.url(), /^app:\/\/renderer\//);

  await hooks((h) => h.trayAction({ type: 'show-view', view: 'settings' }));
  await waitFor('the app window', async () => (await hooks((h) => h.windows())).some((w) => w.name === 'app' && w.visible));
});

test('the tray menu has every entry, and voices once the worker reports them', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  const labels = await hooks((h) => h.menuLabels());
  for (const label of [
    'Speak Clipboard',
    'Speak Selection',
    'Pause',
    'Stop',
    'Voice',
    'Speed',
    'Provider',
    'Dashboard…',
    'Benchmark…',
    'Settings…',
    'Quit Kokoro Bar',
  ]) {
    assert.ok(labels.includes(label), `${label} in ${labels.join(' | ')}`);
  }
  await waitFor('the worker and its voices', async () => (await hooks((h) => h.workerUp() && h.voices() > 0)) === true);
  const speeds = await hooks((h, arg) => h.submenuLabels(arg as string), 'Speed');
  assert.ok(speeds.includes('1×'));
});

test('the default hotkeys are registered, and speak-clipboard speaks in the popover', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  const registered = await hooks((h) => h.registeredHotkeys());
  assert.deepEqual(Object.keys(registered).sort(), ['speakClipboard', 'speakSelection', 'stop']);
  assert.ok(app);
  await app.evaluate(({ clipboard }) => clipboard.writeText('Hello there.'));
  await hooks((h) => h.hotkeyAction('speakClipboard'));
  await waitFor('speech to start', async () => (await hooks((h) => h.playback())) === 'speaking');
  await hooks((h) => h.hotkeyAction('stop'));
  await waitFor('speech to stop', async () => (await hooks((h) => h.playback())) === 'idle');
});

test('a crashed worker is restarted and serves again', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  assert.ok(app);
  const spawnsBefore = await hooks((h) => h.spawns());
  // Kill the worker's utility process (found by its service name); the app must stay up.
  const killed = await app.evaluate(({ app: electronApp }) => {
    const worker = electronApp.getAppMetrics().filter((m) => m.type === 'Utility' && m.name === 'Kokoro Bar Speech Engine');
    for (const metric of worker) process.kill(metric.pid, 'SIGKILL');
    return worker.length;
  });
  assert.equal(killed, 1);
  await waitFor(
    'the worker to restart',
    async () => (await hooks((h, before) => h.spawns() > (before as number) && h.workerUp(), spawnsBefore)) === true,
  );
  await app.evaluate(({ clipboard }) => clipboard.writeText('Back again.'));
  await hooks((h) => h.hotkeyAction('speakClipboard'));
  await waitFor('speech after the restart', async () => (await hooks((h) => h.playback())) === 'speaking');
});

// Runs in the Electron main process: the app's entry. Thin glue (see STYLE.md): settings,
// windows, tray, hotkeys, IPC and the worker supervisor are set up here from plain modules that
// hold the decisions; this file only wires them to Electron.
//
// [Note: The flow of a hotkey]
// Hotkey → main reads the clipboard (or copies the selection, see [Note: Copying the
// selection]) → main sends `{type: 'speak-text', text, source, actionAt}` to the popover window
// (created hidden at start, so speech plays without showing it) → its renderer sends the speak
// request over its own MessagePort → the worker streams PCM back on that port → the renderer's
// AudioWorklet plays it. Main is never on the audio path; `actionAt` is taken in main the moment
// the hotkey fires, so the audible TTFA the dashboard shows includes main's own share.

import {
  BrowserWindow,
  Menu,
  Notification,
  Tray,
  app,
  clipboard,
  globalShortcut,
  ipcMain,
  nativeImage,
  session,
  shell,
  type IpcMainEvent,
  type IpcMainInvokeEvent,
} from 'electron';
import os from 'node:os';
import path from 'node:path';
import { cacheDirFor } from '../src-worker/protocol/cache-dir.ts';
import type { AppCommand, AppView, ProviderId, Settings, VoiceInfo } from '../src-worker/protocol/messages.ts';
import { readBenchHistory, saveBenchResult } from './settings/bench-history.ts';
import { cleanClipboardText } from './selection/clipboard-text.ts';
import { copySelection } from './selection/copy-selection.ts';
import { registerHotkeys, type HotkeyRegistration } from './shortcuts/hotkeys.ts';
import { APP_VERSION_ARG, INVOKE, SEND, TO_RENDERER, playbackStateSchema } from './ipc/ipc-contract.ts';
import { WORKER_ENV, WORKER_PROCESS_ENV } from '../src-worker/protocol/worker-env.ts';
import { resolveAppPaths } from './app/paths.ts';
import { ACCESSIBILITY_SETTINGS_URL, promptForAccessibility, selectionEffects } from './selection/selection-effects.ts';
import { applyPatch, fallBackToKnownVoice, loadSettings, writeSettings } from './settings/settings.ts';
import { createSupervisor } from './worker/supervisor.ts';
import { buildTrayMenu, trayTooltip, type PlaybackState, type TrayAction } from './tray/tray-menu.ts';
import { toMenuTemplate } from './tray/tray-template.ts';
import { readTestSwitches } from './app/test-switches.ts';
import { guardSession, guardWebContents, isTrustedSender, openExternalIfAllowed } from './windows/window-security.ts';
import { createWindow, registerAppScheme, serveRenderer, togglePopover, type WindowName } from './windows/windows.ts';
import { createWorkerClient } from './preload/worker-client.ts';
import { mainPort, openChannel, spawnUtilityWorker, type UtilityWorker } from './worker/worker-process.ts';

/** Who the supervisor connects to the worker: a window, or main itself (voices, provider). */
type Client = { kind: 'window'; name: WindowName; window: BrowserWindow } | { kind: 'main' };

// ---------------------------------------------------------------------------------------------
// Before ready

registerAppScheme();
// The Electron tests run the app against a throw-away profile (see test/main/electron-app.test.ts);
// a packaged app ignores them (see [Note: Test switches are for unpackaged runs]).
const testSwitches = readTestSwitches(process.env, app.isPackaged);
if (testSwitches.userData !== null) app.setPath('userData', testSwitches.userData);
// Every webContents, ours or not, gets the guards (see [Note: Windows are locked down]).
app.on('web-contents-created', (_event, contents) => {
  guardWebContents(contents, (url) => shell.openExternal(url));
  guardSession(contents.session);
});
// A second launch (e.g. from Finder) shows the running app's popover instead.
const primaryInstance = app.requestSingleInstanceLock();
if (!primaryInstance) app.quit();
// Menu-bar only: no Dock icon (the packaged app also sets LSUIElement).
if (process.platform === 'darwin') app.dock?.hide();

const paths = resolveAppPaths({
  isPackaged: app.isPackaged,
  appPath: app.getAppPath(),
  resourcesPath: process.resourcesPath,
  userDataPath: app.getPath('userData'),
  assetCacheDir: cacheDirFor(process.env, os.homedir(), process.platform, path),
  platform: process.platform,
  arch: process.arch,
});
const userData = app.getPath('userData');
const appVersionArg = `${APP_VERSION_ARG}${app.getVersion()}`;

// ---------------------------------------------------------------------------------------------
// State

let settings: Settings;
let tray: Tray | null = null;
let hotkeys: HotkeyRegistration | null = null;
let quitting = false;
let workerUp = false;
let voices: VoiceInfo[] = [];
let unavailable: Partial<Record<ProviderId, string>> = {};
const windows = new Map<WindowName, BrowserWindow>();
const clients = new Map<number, Client>(); // by webContents id
const playback = new Map<number, PlaybackState>();
const loaded = new WeakSet<BrowserWindow>();
const queued = new WeakMap<BrowserWindow, AppCommand[]>();
const mainClientId: Client = { kind: 'main' };
const mainClient = createWorkerClient();
let requestSerial = 0;

const supervisor = createSupervisor<UtilityWorker, Client>({
  spawn: () =>
    spawnUtilityWorker({
      entry: paths.workerEntry,
      env: {
        // The allocator settings the benchmark measured with (see [Note: Worker allocator]).
        ...WORKER_PROCESS_ENV,
        [WORKER_ENV.assetDirs]: paths.assetDirs.join(path.delimiter),
        [WORKER_ENV.ortCacheDir]: paths.ortCacheDir,
        [WORKER_ENV.modelVariant]: settings.modelVariant,
      },
    }),
  connect(worker, client) {
    const port = openChannel(worker);
    if (client.kind === 'main') mainClient.attach(mainPort(port));
    else if (!client.window.isDestroyed()) client.window.webContents.postMessage(TO_RENDERER.workerPort, null, [port]);
    workerUp = true;
    refreshTray();
  },
  workerDown(client, reason) {
    workerUp = false;
    if (client.kind === 'main') mainClient.workerDown(reason);
    else if (!client.window.isDestroyed()) client.window.webContents.send(TO_RENDERER.workerDown, reason);
    refreshTray();
  },
  notify: (message) => notify('error', message),
  setTimer(callback, ms) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
  now: () => Date.now(),
});

// ---------------------------------------------------------------------------------------------
// Windows and commands

function getWindow(name: WindowName, view: AppView): BrowserWindow {
  const existing = windows.get(name);
  if (existing !== undefined && !existing.isDestroyed()) return existing;
  const window = createWindow(name, view, paths.preload, appVersionArg);
  const id = window.webContents.id;
  windows.set(name, window);
  clients.set(id, { kind: 'window', name, window });
  window.webContents.on('did-finish-load', () => {
    loaded.add(window);
    for (const command of queued.get(window) ?? []) window.webContents.send(TO_RENDERER.command, command);
    queued.delete(window);
  });
  window.webContents.on('did-start-loading', () => loaded.delete(window));
  window.on('close', (event) => {
    // The popover is the audio host: closing only hides it.
    if (name === 'popover' && !quitting) {
      event.preventDefault();
      window.hide();
    }
  });
  window.on('closed', () => {
    const client = clients.get(id);
    if (client !== undefined) supervisor.removeClient(client);
    clients.delete(id);
    playback.delete(id);
    windows.delete(name);
    refreshTray();
  });
  return window;
}

/** Sends a command to a window, after its page has loaded. */
function sendCommand(window: BrowserWindow, command: AppCommand): void {
  if (window.isDestroyed()) return;
  if (loaded.has(window)) window.webContents.send(TO_RENDERER.command, command);
  else queued.set(window, [...(queued.get(window) ?? []), command]);
}

function broadcast(command: AppCommand): void {
  for (const window of windows.values()) sendCommand(window, command);
}

function showView(view: AppView): void {
  if (view === 'speak') {
    const popover = getWindow('popover', 'speak');
    if (tray !== null) togglePopover(popover, tray.getBounds());
    else popover.show();
    return;
  }
  const window = getWindow('app', view);
  sendCommand(window, { type: 'show-view', view });
  window.show();
  window.focus();
}

/** Tells the user something: in the popover's notice area and as a system notification. */
function notify(level: 'info' | 'warning' | 'error', message: string, onClick?: () => void): void {
  sendCommand(getWindow('popover', 'speak'), { type: 'notice', level, message });
  if (Notification.isSupported()) {
    const notification = new Notification({ title: 'Kokoro Bar', body: message, silent: level === 'info' });
    if (onClick !== undefined) notification.on('click', onClick);
    notification.show();
  }
}

function speakClipboard(actionAt: number): void {
  const text = cleanClipboardText(clipboard.readText());
  if (text === '') {
    notify('info', 'The clipboard has no text to read. Copy some text first.');
    return;
  }
  sendCommand(getWindow('popover', 'speak'), { type: 'speak-text', text, source: 'clipboard', actionAt });
}

async function speakSelection(actionAt: number): Promise<void> {
  // Speech starts as soon as the text is read; the clipboard restore runs meanwhile.
  const result = await copySelection(selectionEffects(), {
    onText: (text) => sendCommand(getWindow('popover', 'speak'), { type: 'speak-text', text, source: 'selection', actionAt }),
  });
  if (result.ok) return;
  if (result.reason === 'accessibility') {
    promptForAccessibility();
    notify('warning', `${result.message} ${result.action}`, () =>
      openExternalIfAllowed(ACCESSIBILITY_SETTINGS_URL, (url) => shell.openExternal(url)),
    );
    return;
  }
  notify(result.reason === 'no-selection' ? 'info' : 'warning', `${result.message} ${result.action}`);
}

function stopAll(): void {
  broadcast({ type: 'stop' });
}

function togglePause(): void {
  // The window that is speaking gets it; if none is, the popover (hotkey speech plays there).
  for (const [id, state] of playback) {
    const client = clients.get(id);
    if (state !== 'idle' && client?.kind === 'window') {
      sendCommand(client.window, { type: 'toggle-pause' });
      return;
    }
  }
  sendCommand(getWindow('popover', 'speak'), { type: 'toggle-pause' });
}

// ---------------------------------------------------------------------------------------------
// Settings

async function storeSettings(next: Settings): Promise<void> {
  const hotkeysChanged = JSON.stringify(next.hotkeys) !== JSON.stringify(settings.hotkeys);
  const loginChanged = next.launchAtLogin !== settings.launchAtLogin;
  const variantChanged = next.modelVariant !== settings.modelVariant;
  settings = next;
  await writeSettings(userData, next);
  if (hotkeysChanged) applyHotkeys();
  // The worker reads the variant at start (see entry-electron.ts), so a new one needs a new worker.
  if (variantChanged) supervisor.restart(`switching to the ${next.modelVariant} model`);
  if (loginChanged && process.platform === 'darwin') app.setLoginItemSettings({ openAtLogin: next.launchAtLogin });
  broadcast({ type: 'settings-changed', settings: next });
  refreshTray();
}

function applyHotkeys(): void {
  hotkeys?.dispose();
  const now = (): number => performance.timeOrigin + performance.now();
  hotkeys = registerHotkeys(
    settings.hotkeys,
    {
      speakClipboard: () => speakClipboard(now()),
      speakSelection: () => void speakSelection(now()),
      stop: stopAll,
    },
    globalShortcut,
    process.platform,
  );
  for (const problem of hotkeys.problems) notify('warning', problem);
}

/** The installed voice ids, once the worker has listed them (see [Note: Settings name installed voices]). */
function knownVoices(): ReadonlySet<string> | undefined {
  return voices.length === 0 ? undefined : new Set(voices.map((voice) => voice.id));
}

/** Puts a settings voice that is not installed back to the default, and says so. */
async function checkSettingsVoice(): Promise<void> {
  const known = knownVoices();
  const fix = known === undefined ? null : fallBackToKnownVoice(settings, known);
  if (fix === null) return;
  await storeSettings(fix.settings);
  notify('warning', fix.notice);
}

async function patchFromTray(patch: unknown): Promise<void> {
  const result = applyPatch(settings, patch, knownVoices());
  if (result.ok) await storeSettings(result.settings);
  else notify('error', result.message);
}

// ---------------------------------------------------------------------------------------------
// Tray

function playbackState(): PlaybackState {
  const states = [...playback.values()];
  if (states.includes('speaking')) return 'speaking';
  if (states.includes('paused')) return 'paused';
  return 'idle';
}

function trayIcon(speaking: boolean): Electron.NativeImage {
  // "Template" in the name makes macOS tint it (see [Note: Template icons]); @2x is found by name.
  const file = speaking ? 'traySpeakingTemplate.png' : 'trayTemplate.png';
  return nativeImage.createFromPath(path.join(paths.assetsDir, file));
}

function acceleratorOf(action: TrayAction): string {
  if (action.type === 'speak-clipboard') return settings.hotkeys.speakClipboard;
  if (action.type === 'speak-selection') return settings.hotkeys.speakSelection;
  if (action.type === 'stop') return settings.hotkeys.stop;
  return '';
}

function currentMenu(): Menu {
  const model = buildTrayMenu({
    playback: playbackState(),
    voice: settings.voice,
    speed: settings.speed,
    provider: settings.provider,
    voices,
    favourites: settings.favourites,
    unavailable,
    hotkeys: settings.hotkeys,
    workerUp,
  });
  return Menu.buildFromTemplate(toMenuTemplate(model, (action) => void onTrayAction(action), acceleratorOf));
}

function refreshTray(): void {
  if (tray === null || settings === undefined) return;
  const state = playbackState();
  tray.setImage(trayIcon(state === 'speaking'));
  tray.setToolTip(trayTooltip({ playback: state, voice: settings.voice, workerUp }));
}

async function onTrayAction(action: TrayAction): Promise<void> {
  const actionAt = performance.timeOrigin + performance.now();
  switch (action.type) {
    case 'speak-clipboard':
      return speakClipboard(actionAt);
    case 'speak-selection':
      return speakSelection(actionAt);
    case 'toggle-pause':
      return togglePause();
    case 'stop':
      return stopAll();
    case 'set-voice':
      return patchFromTray({ voice: action.voice });
    case 'set-speed':
      return patchFromTray({ speed: action.speed });
    case 'set-provider': {
      const provider = { ...settings.provider, provider: action.provider };
      await patchFromTray({ provider });
      mainClient.send({ type: 'set-provider', id: `main-provider-${++requestSerial}`, provider });
      return;
    }
    case 'show-view':
      return showView(action.view);
    case 'quit':
      app.quit();
      return;
  }
}

function setupTray(): void {
  tray = new Tray(trayIcon(false));
  tray.on('click', () => showView('speak'));
  tray.on('right-click', () => tray?.popUpContextMenu(currentMenu()));
  refreshTray();
}

// Main's own connection to the worker: voices for the menu, which providers work here.
function setupMainClient(): void {
  mainClient.onState((state) => {
    if (state !== 'up') return;
    mainClient.send({ type: 'list-voices', id: `main-voices-${++requestSerial}` });
    mainClient.send({ type: 'status', id: `main-status-${++requestSerial}` });
  });
  mainClient.onEvent((event) => {
    if (event.type === 'voices') {
      voices = event.voices;
      void checkSettingsVoice();
    } else if (event.type === 'provider') {
      unavailable = {};
      for (const option of event.state.options) {
        if (!option.available) unavailable[option.provider] = option.reason ?? 'unavailable';
      }
    } else return;
    refreshTray();
  });
}

// ---------------------------------------------------------------------------------------------
// IPC (see [Note: Windows are locked down]: every sender is checked)

function trusted(event: IpcMainEvent | IpcMainInvokeEvent): Client | null {
  const frame = event.senderFrame;
  const facts = {
    webContentsId: event.sender.id,
    frameUrl: frame?.url ?? null,
    isMainFrame: frame !== null && frame !== undefined && frame === event.sender.mainFrame,
  };
  const ours = new Set([...clients.entries()].filter(([, c]) => c.kind === 'window').map(([id]) => id));
  return isTrustedSender(facts, ours) ? (clients.get(event.sender.id) ?? null) : null;
}

function handle(channel: string, handler: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void {
  ipcMain.handle(channel, (event, ...args) => {
    if (trusted(event) === null) throw new Error(`Refused ${channel}: the sender is not a Kokoro Bar window.`);
    return handler(event, ...args);
  });
}

function setupIpc(): void {
  handle(INVOKE.getSettings, () => settings);
  handle(INVOKE.updateSettings, async (_event, patch) => {
    const result = applyPatch(settings, patch, knownVoices());
    if (result.ok) await storeSettings(result.settings);
    return result;
  });
  handle(INVOKE.readClipboard, () => cleanClipboardText(clipboard.readText()));
  handle(INVOKE.benchHistory, () => readBenchHistory(userData));
  handle(INVOKE.saveBenchResult, (_event, result) => saveBenchResult(userData, result));

  ipcMain.on(SEND.requestWorkerPort, (event) => {
    const client = trusted(event);
    if (client !== null) supervisor.addClient(client);
  });
  ipcMain.on(SEND.playbackState, (event, state: unknown) => {
    const parsed = playbackStateSchema.safeParse(state);
    if (trusted(event) === null || !parsed.success) return;
    playback.set(event.sender.id, parsed.data);
    refreshTray();
  });
}

// ---------------------------------------------------------------------------------------------
// Test hooks: the Playwright Electron tests read state and trigger the same handlers the tray
// and the global shortcuts call (a test cannot press a global shortcut or click a tray icon).

function exposeTestHooks(): void {
  (globalThis as Record<string, unknown>)['__kokoroBar'] = {
    menuLabels: () => currentMenu().items.map((item) => item.label || item.type),
    submenuLabels: (label: string) =>
      currentMenu().items.find((item) => item.label === label)?.submenu?.items.map((item) => item.label) ?? [],
    hotkeyAction: (slot: 'speakClipboard' | 'speakSelection' | 'stop') => {
      const at = performance.timeOrigin + performance.now();
      if (slot === 'speakClipboard') speakClipboard(at);
      else if (slot === 'speakSelection') void speakSelection(at);
      else stopAll();
    },
    trayAction: (action: TrayAction) => onTrayAction(action),
    registeredHotkeys: () => hotkeys?.registered ?? {},
    windows: () =>
      [...windows.entries()].map(([name, window]) => ({
        name,
        url: window.webContents.getURL(),
        visible: window.isVisible(),
        // Undocumented but long-standing: the preferences the renderer really got.
        webPreferences:
          (window.webContents as unknown as { getLastWebPreferences?: () => unknown }).getLastWebPreferences?.() ?? null,
      })),
    playback: () => playbackState(),
    workerUp: () => workerUp,
    voices: () => voices.length,
    spawns: () => supervisor.spawns,
  };
}

// ---------------------------------------------------------------------------------------------
// Start

app.on('second-instance', () => showView('speak'));
// A menu-bar app stays up with no windows.
app.on('window-all-closed', () => undefined);
app.on('before-quit', () => {
  quitting = true;
  supervisor.stop();
  globalShortcut.unregisterAll();
});

app.whenReady().then(async () => {
  if (!primaryInstance) return;
  guardSession(session.defaultSession);
  const loadedSettings = await loadSettings(userData);
  settings = loadedSettings.settings;
  // The login item lives in macOS, which the user can change behind our back: settings win.
  if (process.platform === 'darwin' && app.getLoginItemSettings().openAtLogin !== settings.launchAtLogin) {
    app.setLoginItemSettings({ openAtLogin: settings.launchAtLogin });
  }
  serveRenderer(path.dirname(paths.rendererIndex));
  setupIpc();
  setupMainClient();
  supervisor.addClient(mainClientId);
  supervisor.start();
  getWindow('popover', 'speak');
  setupTray();
  applyHotkeys();
  for (const notice of loadedSettings.notices) notify('warning', notice);
  if (testSwitches.hooks) exposeTestHooks();
}, (error: unknown) => {
  console.error('Kokoro Bar could not start:', error);
  app.exit(1);
});

// Runs in the Electron main process: the app's entry. Wiring only (see STYLE.md): each concern
// is a `setupX(deps)` in its own module (windows, commands, settings, hotkeys, worker link, tray,
// IPC, test hooks) that keeps its own state and takes Electron only through its deps (type-only
// imports), so each runs under plain Node in its tests. This is the only main-process file that
// loads Electron at run time (the preload is the other process's): it hands Electron to the setup
// modules and to the thin adapters windows.ts, selection-effects.ts and worker-process.ts, and
// the modules to each other; no module imports this one.
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
  MessageChannelMain,
  Notification,
  Tray,
  app,
  clipboard,
  globalShortcut,
  ipcMain,
  nativeImage,
  net,
  protocol,
  screen,
  session,
  shell,
  systemPreferences,
  utilityProcess,
  type MessagePortMain,
  type NativeImage,
} from 'electron';
import os from 'node:os';
import path from 'node:path';
import { cacheDirFor } from '../src-worker/protocol/cache-dir.ts';
import { fromMessagePortMain } from '../src-worker/protocol/port-adapters.ts';
import { WORKER_ENV, WORKER_PROCESS_ENV } from '../src-worker/protocol/worker-env.ts';
import { resolveAppPaths } from './app/paths.ts';
import { setupCommands } from './app/commands.ts';
import { exposeTestHooks } from './app/test-hooks.ts';
import { readTestSwitches } from './app/test-switches.ts';
import { setupIpc } from './ipc/ipc.ts';
import { APP_VERSION_ARG, TO_RENDERER } from './ipc/ipc-contract.ts';
import { createWorkerClient } from './preload/worker-client.ts';
import { cleanClipboardText } from './selection/clipboard-text.ts';
import { copySelection } from './selection/copy-selection.ts';
import { ACCESSIBILITY_SETTINGS_URL, promptForAccessibility, selectionEffects } from './selection/selection-effects.ts';
import { loadSettings, writeSettings } from './settings/settings.ts';
import { setupSettings } from './settings/settings-owner.ts';
import { setupHotkeys } from './shortcuts/hotkeys.ts';
import { setupTray, type AppTray } from './tray/tray.ts';
import { guardSession, guardWebContents, openExternalIfAllowed } from './windows/window-security.ts';
import { setupWindows, type Client } from './windows/window-registry.ts';
import { createWindow, registerAppScheme, serveRenderer, togglePopover } from './windows/windows.ts';
import { createSupervisor } from './worker/supervisor.ts';
import { openChannel, spawnUtilityWorker, type UtilityWorker } from './worker/worker-process.ts';
import { setupWorkerLink } from './worker/worker-link.ts';

// ---------------------------------------------------------------------------------------------
// Before ready

registerAppScheme({ protocol });
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
// A menu-bar app stays up with no windows.
app.on('window-all-closed', () => undefined);

/** Milliseconds since the epoch, sub-millisecond: the `actionAt` of speech, taken as the action fires. */
const now = (): number => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// Start

async function start(): Promise<void> {
  guardSession(session.defaultSession);
  const userData = app.getPath('userData');
  const paths = resolveAppPaths({
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    userDataPath: userData,
    assetCacheDir: cacheDirFor(process.env, os.homedir(), process.platform, path),
    platform: process.platform,
    arch: process.arch,
  });
  const appVersionArg = `${APP_VERSION_ARG}${app.getVersion()}`;
  const loaded = await loadSettings(userData);
  // The login item lives in macOS, which the user can change behind our back: settings win.
  if (process.platform === 'darwin' && app.getLoginItemSettings().openAtLogin !== loaded.settings.launchAtLogin) {
    app.setLoginItemSettings({ openAtLogin: loaded.settings.launchAtLogin });
  }
  serveRenderer({ net, protocol }, path.dirname(paths.rendererIndex));

  let quitting = false;
  // Set up below; the callbacks that use them run only once everything is wired.
  let tray: AppTray<Menu> | null = null;
  const refreshTray = (): void => tray?.refresh();
  let trayIcon: Tray | null = null;

  const windows = setupWindows({
    create: (name, view) => createWindow({ BrowserWindow }, name, view, paths.preload, appVersionArg),
    commandChannel: TO_RENDERER.command,
    isQuitting: () => quitting,
    togglePopover: (popover) => (trayIcon === null ? popover.show() : togglePopover({ screen }, popover, trayIcon.getBounds())),
    onClosed: (client) => supervisor.removeClient(client),
    onChange: refreshTray,
  });

  const commands = setupCommands({
    windows,
    readClipboard: () => clipboard.readText(),
    copySelection: (onText) => copySelection(selectionEffects({ clipboard, systemPreferences }), { onText }),
    promptForAccessibility: () => promptForAccessibility({ systemPreferences }),
    openAccessibilitySettings: () => void openExternalIfAllowed(ACCESSIBILITY_SETTINGS_URL, (url) => shell.openExternal(url)),
    showNotification(level, message, onClick) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title: 'Kokoro Bar', body: message, silent: level === 'info' });
      if (onClick !== undefined) notification.on('click', onClick);
      notification.show();
    },
  });

  const link = setupWorkerLink<UtilityWorker, MessagePortMain, BrowserWindow>({
    client: createWorkerClient(),
    openChannel: (worker) => openChannel({ MessageChannelMain }, worker),
    portLike: fromMessagePortMain,
    givePort: (window, port) => window.webContents.postMessage(TO_RENDERER.workerPort, null, [port]),
    tellDown: (window, reason) => window.webContents.send(TO_RENDERER.workerDown, reason),
    onVoices: () => void settings.checkVoice(),
    onChange: refreshTray,
  });

  const supervisor = createSupervisor<UtilityWorker, Client<BrowserWindow>>({
    spawn: () =>
      spawnUtilityWorker(
        { utilityProcess },
        {
          entry: paths.workerEntry,
          env: {
            // The allocator settings the benchmark measured with (see [Note: Worker allocator]).
            ...WORKER_PROCESS_ENV,
            [WORKER_ENV.assetDirs]: paths.assetDirs.join(path.delimiter),
            [WORKER_ENV.ortCacheDir]: paths.ortCacheDir,
            [WORKER_ENV.modelVariant]: settings.current().modelVariant,
          },
        },
      ),
    connect: (worker, client) => link.connect(worker, client),
    workerDown: (client, reason) => link.down(client, reason),
    notify: (message) => commands.notify('error', message),
    setTimer(callback, ms) {
      const timer = setTimeout(callback, ms);
      return () => clearTimeout(timer);
    },
    now: () => Date.now(),
  });

  const settings = setupSettings({
    initial: loaded.settings,
    write: (next) => writeSettings(userData, next),
    knownVoices: () => link.knownVoices(),
    onHotkeysChanged: () => hotkeys.apply(),
    // The worker reads the variant at start (see WORKER_ENV), so a new one needs a new worker.
    onVariantChanged: (variant) => supervisor.restart(`switching to the ${variant} model`),
    onLoginChanged(openAtLogin) {
      if (process.platform === 'darwin') app.setLoginItemSettings({ openAtLogin });
    },
    broadcast: (command) => windows.broadcast(command),
    onChange: refreshTray,
    notify: (level, message) => commands.notify(level, message),
  });

  const hotkeys = setupHotkeys({
    registrar: globalShortcut,
    platform: process.platform,
    hotkeys: () => settings.current().hotkeys,
    actions: {
      speakClipboard: () => commands.speakClipboard(now()),
      speakSelection: () => void commands.speakSelection(now()),
      stop: () => commands.stopAll(),
    },
    warn: (message) => commands.notify('warning', message),
  });

  setupIpc({
    ipcMain,
    clientOf: (id) => windows.clientOf(id),
    ours: () => windows.ids(),
    settings: () => settings.current(),
    updateSettings: (patch) => settings.update(patch),
    readClipboard: () => cleanClipboardText(clipboard.readText()),
    connectWorker: (client) => supervisor.addClient(client),
    setPlayback: (id, state) => windows.setPlayback(id, state),
  });

  app.on('second-instance', () => windows.showView('speak'));
  app.on('before-quit', () => {
    quitting = true;
    supervisor.stop();
    globalShortcut.unregisterAll();
  });

  supervisor.addClient({ kind: 'main' });
  supervisor.start();
  windows.get('popover', 'speak');
  tray = setupTray<NativeImage, Menu>({
    createTray: (image) => (trayIcon = new Tray(image)),
    // "Template" in the name makes macOS tint it (see [Note: Template icons]); @2x is found by name.
    icon: (speaking) => nativeImage.createFromPath(path.join(paths.assetsDir, speaking ? 'traySpeakingTemplate.png' : 'trayTemplate.png')),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    state: () => {
      const current = settings.current();
      return {
        playback: windows.playback(),
        voice: current.voice,
        speed: current.speed,
        provider: current.provider,
        voices: link.voices(),
        voicesProblem: link.voicesProblem(),
        favourites: current.favourites,
        unavailable: link.unavailable(),
        hotkeys: current.hotkeys,
        workerUp: link.workerUp(),
      };
    },
    commands,
    updateSettings: (patch) => settings.updateFromTray(patch),
    provider: () => settings.current().provider,
    setProvider: (provider) => link.setProvider(provider),
    showView: (view) => windows.showView(view),
    quit: () => app.quit(),
    now,
  });
  hotkeys.apply();
  for (const notice of loaded.notices) commands.notify('warning', notice);

  const appTray = tray;
  if (testSwitches.hooks) {
    exposeTestHooks(globalThis as Record<string, unknown>, {
      menu: () => appTray.menu(),
      trayAction: (action) => appTray.act(action),
      commands,
      registeredHotkeys: () => hotkeys.registered(),
      windows: () => windows.entries(),
      playback: () => windows.playback(),
      workerUp: () => link.workerUp(),
      voiceCount: () => link.voices().length,
      spawns: () => supervisor.spawns,
      now,
    });
  }
}

app
  .whenReady()
  .then(() => (primaryInstance ? start() : undefined))
  .catch((error: unknown) => {
    console.error('Kokoro Bar could not start:', error);
    app.exit(1);
  });

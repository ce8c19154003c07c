// Runs in the Electron main process: the app:// protocol that serves the renderer with its CSP,
// and the two windows: the popover by the tray (speak view, hidden until asked for, and the
// window that plays hotkey speech) and the app window (dashboard, benchmark, settings views).
// The rules themselves live in window-security.ts (see [Note: Windows are locked down]).

import { BrowserWindow, net, protocol, screen, type Rectangle } from 'electron';
import { pathToFileURL } from 'node:url';
import type { AppView } from '../../src-worker/protocol/messages.ts';
import {
  APP_SCHEME,
  CONTENT_SECURITY_POLICY,
  mimeTypeFor,
  popoverPosition,
  rendererUrl,
  resolveRendererFile,
  secureWebPreferences,
} from './window-security.ts';

/** Popover size in points. */
export const POPOVER_SIZE = { width: 380, height: 520 } as const;

/** App window size in points. */
export const APP_WINDOW_SIZE = { width: 920, height: 680 } as const;

/** Which of our windows a BrowserWindow is. */
export type WindowName = 'popover' | 'app';

/** Must run before `app.whenReady`: app:// is a standard, secure scheme (AudioWorklet needs it). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    // corsEnabled: Vite's module scripts and the AudioWorklet module are fetched in CORS mode.
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

/** Serves files of `rendererDir` under app://renderer/ with the CSP header. */
export function serveRenderer(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveRendererFile(rendererDir, request.url);
    if (file === null) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    if (!response.ok) return new Response('Not found', { status: 404 });
    return new Response(response.body, {
      status: 200,
      headers: {
        'content-type': mimeTypeFor(file),
        'content-security-policy': CONTENT_SECURITY_POLICY,
        'x-content-type-options': 'nosniff',
      },
    });
  });
}

/** Creates a window showing `view`; the caller shows it when wanted. */
export function createWindow(name: WindowName, view: AppView, preload: string, appVersionArg: string): BrowserWindow {
  const popover = name === 'popover';
  const size = popover ? POPOVER_SIZE : APP_WINDOW_SIZE;
  const window = new BrowserWindow({
    ...size,
    show: false,
    title: 'Kokoro Bar',
    frame: !popover,
    resizable: !popover,
    movable: !popover,
    minimizable: !popover,
    maximizable: !popover,
    fullscreenable: false,
    skipTaskbar: popover,
    alwaysOnTop: popover,
    transparent: false,
    webPreferences: { ...secureWebPreferences(preload), additionalArguments: [appVersionArg] },
  });
  // Navigation, new windows, <webview> and permissions are guarded for every webContents in
  // main.ts (app.on('web-contents-created'), see [Note: Windows are locked down]).
  if (popover) window.on('blur', () => window.hide());
  void window.loadURL(rendererUrl(view, name));
  return window;
}

/** Shows the popover under the tray icon (or toggles it off when it is showing). */
export function togglePopover(window: BrowserWindow, trayBounds: Rectangle): void {
  if (window.isVisible()) {
    window.hide();
    return;
  }
  const display = screen.getDisplayNearestPoint({ x: trayBounds.x, y: trayBounds.y });
  const { x, y } = popoverPosition(trayBounds, POPOVER_SIZE, display.workArea);
  window.setPosition(x, y, false);
  window.show();
  window.focus();
}

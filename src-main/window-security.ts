// Runs in the Electron main process (and tests, under plain Node): the security rules of our
// windows as plain data and functions: webPreferences, the Content-Security-Policy, which files
// the app:// protocol may serve, where a window may navigate, and which IPC senders to trust.
//
// [Note: Windows are locked down]
// The renderer shows text from the clipboard and the user, never remote pages, so it gets no
// powers it does not need: context isolation, the sandbox and no Node integration; its only way
// out is the preload's bridge (see [Note: One bridge]). Pages are served from our own
// `app://renderer/` protocol (a secure context, so AudioWorklet works) with a strict CSP header:
// scripts only from the app itself, no remote connections, no plugins, no framing. Navigation
// away from the app and new windows are refused, and every IPC message is checked to come from
// the main frame of a window we created, showing our page.

import path from 'node:path';

/** The scheme the renderer is served under. */
export const APP_SCHEME = 'app';

/** The host part of renderer URLs: app://renderer/index.html. */
export const APP_HOST = 'renderer';

/** Origin of every page we load. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * The Content-Security-Policy sent with every page. `style-src 'unsafe-inline'` allows the
 * style attributes React renders; scripts stay 'self' only. `blob:` for workers and media lets
 * the audio path create worklet and object URLs from its own code.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The webPreferences every window gets (see [Note: Windows are locked down]). */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    // Speech starts from a hotkey while the window is hidden: no user gesture in the page.
    autoplayPolicy: 'no-user-gesture-required' as const,
    // A hidden window must still answer worker messages at once (timers are not throttled).
    backgroundThrottling: false,
  };
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The Content-Type for a served file, by extension. */
export function mimeTypeFor(file: string): string {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `rendererDir` that an app:// URL names, or null when the URL is not ours or
 * tries to leave the folder ("..", encoded slashes, other hosts).
 */
export function resolveRendererFile(rendererDir: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, ...relative.split('/'));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

/** The URL a window loads for a view. */
export function rendererUrl(view: string, windowName: string): string {
  return `${APP_ORIGIN}/index.html?window=${encodeURIComponent(windowName)}#${encodeURIComponent(view)}`;
}

/** Whether a window may navigate to `url`: only within our own origin. */
export function isAllowedNavigation(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** What main knows about the sender of an IPC message. */
export interface SenderFacts {
  /** `event.sender.id`: the webContents that sent it. */
  webContentsId: number;
  /** `event.senderFrame.url`, null when the frame is gone. */
  frameUrl: string | null;
  /** Whether the frame is its page's main frame (`senderFrame === sender.mainFrame`). */
  isMainFrame: boolean;
}

/** Whether an IPC message comes from the main frame of one of our windows, showing our page. */
export function isTrustedSender(facts: SenderFacts, ourWebContents: ReadonlySet<number>): boolean {
  return (
    ourWebContents.has(facts.webContentsId) &&
    facts.isMainFrame &&
    facts.frameUrl !== null &&
    isAllowedNavigation(facts.frameUrl)
  );
}

/** A rectangle in screen points. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Gap between the menu bar and the popover. */
const POPOVER_GAP = 4;

/**
 * Where to put the popover: centred under the tray icon, kept inside the work area (the screen
 * minus the menu bar and Dock).
 */
export function popoverPosition(tray: Rect, size: { width: number; height: number }, workArea: Rect): { x: number; y: number } {
  const centred = Math.round(tray.x + tray.width / 2 - size.width / 2);
  const maxX = workArea.x + workArea.width - size.width;
  const x = Math.max(workArea.x, Math.min(centred, maxX));
  const below = tray.y + tray.height + POPOVER_GAP;
  // A tray at the bottom of the screen (other platforms) opens the window above it.
  const y =
    below + size.height <= workArea.y + workArea.height
      ? Math.max(workArea.y, below)
      : Math.max(workArea.y, tray.y - size.height - POPOVER_GAP);
  return { x, y };
}

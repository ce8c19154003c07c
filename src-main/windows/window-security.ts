// Runs in the Electron main process (and tests, under plain Node): the security rules of our
// windows as plain data and functions: webPreferences, the Content-Security-Policy, which files
// the app:// protocol may serve, where a window may navigate, which URLs may leave the app,
// which permissions a page gets, and which IPC senders to trust. No Electron at run time: the
// guards take the few methods they use as structural types, and main.ts wires them.
//
// [Note: Windows are locked down]
// The renderer shows text from the clipboard and the user, never remote pages, so it gets no
// powers it does not need: context isolation, the sandbox and no Node integration; its only way
// out is the preload's bridge (see [Note: One bridge]). Pages are served from our own
// `app://renderer/` protocol (a secure context, so AudioWorklet works) with a strict CSP header:
// scripts only from the app itself, no remote connections, no plugins, no framing. Every
// webContents the app ever creates (`app.on('web-contents-created')`, so none is forgotten) has
// navigation away from the app, redirects, new windows and <webview> refused; a link may only
// open in the user's browser when `isAllowedExternalUrl` says so (https pages of the project and
// the model, the macOS Accessibility pane), and every permission a page asks for or probes is
// denied but clipboard writes from our own origin. Every IPC message is checked to come from the
// main frame of a window we created, showing our page.

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

/** Hosts whose https pages may open in the user's browser: the project's and the model's. */
export const EXTERNAL_HOSTS: ReadonlySet<string> = new Set(['github.com', 'huggingface.co']);

/** System Settings panes the app may open, exactly (granting Accessibility for "speak selection"). */
export const SYSTEM_SETTINGS_URLS: ReadonlySet<string> = new Set([
  'x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility',
]);

/**
 * Whether `shell.openExternal` may open `url` (see [Note: Windows are locked down]): an https
 * page on EXTERNAL_HOSTS with no credentials or odd port, or one of SYSTEM_SETTINGS_URLS.
 * Everything else (file:, smb:, javascript:, http:, custom app schemes) is refused.
 */
export function isAllowedExternalUrl(url: string): boolean {
  if (SYSTEM_SETTINGS_URLS.has(url)) return true;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    EXTERNAL_HOSTS.has(parsed.hostname)
  );
}

/** Opens `url` in the user's browser only when allowed; returns whether it did. */
export function openExternalIfAllowed(url: string, openExternal: (url: string) => Promise<void>): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  openExternal(url).catch(() => undefined);
  return true;
}

/** Permissions our own pages get: writing the clipboard (a "copy" button). Nothing else. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** Whether a page at `requestingUrl` (an origin or a URL) may have `permission`. */
export function isAllowedPermission(permission: string, requestingUrl: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && requestingUrl !== undefined && isAllowedNavigation(requestingUrl);
}

/** An Electron event that can be refused. */
interface Preventable {
  preventDefault(): void;
}

/** The parts of a WebContents the guards use (Electron's WebContents has them). */
export interface GuardableContents {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: Preventable, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: Preventable) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Locks down one webContents (main calls this from `app.on('web-contents-created')`): no
 * navigation or redirect away from the app, no <webview>, no new windows; an allowed link opens
 * in the user's browser instead.
 */
export function guardWebContents(contents: GuardableContents, openExternal: (url: string) => Promise<void>): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, openExternal);
    return { action: 'deny' };
  });
}

/** The parts of a Session the guards use (Electron's Session has them). */
export interface GuardableSession {
  setPermissionCheckHandler(handler: (contents: unknown, permission: string, requestingOrigin: string) => boolean): void;
  setPermissionRequestHandler(
    handler: (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void,
  ): void;
}

/** Answers every permission check and request of a session with `isAllowedPermission`. */
export function guardSession(session: GuardableSession): void {
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isAllowedPermission(permission, requestingOrigin));
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isAllowedPermission(permission, details.requestingUrl)),
  );
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
  return ourWebContents.has(facts.webContentsId) && facts.isMainFrame && facts.frameUrl !== null && isAllowedNavigation(facts.frameUrl);
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

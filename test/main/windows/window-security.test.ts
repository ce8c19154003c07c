// Runs under node:test: window security rules: webPreferences, CSP, served files, navigation,
// the webContents and session guards, external links, permissions, IPC senders, and popover
// placement.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  guardSession,
  guardWebContents,
  isAllowedExternalUrl,
  isAllowedNavigation,
  isAllowedPermission,
  openExternalIfAllowed,
  isTrustedSender,
  mimeTypeFor,
  popoverPosition,
  rendererUrl,
  resolveRendererFile,
  secureWebPreferences,
} from '../../../src-main/windows/window-security.ts';

test('windows get isolation, the sandbox and no Node', () => {
  const prefs = secureWebPreferences('/app/dist/main/preload.cjs');
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.preload, '/app/dist/main/preload.cjs');
});

test('the CSP allows only the app itself', () => {
  const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d]));
  assert.equal(directives.get('default-src'), "default-src 'none'");
  assert.equal(directives.get('script-src'), "script-src 'self'");
  assert.equal(directives.get('connect-src'), "connect-src 'self'");
  assert.equal(directives.get('object-src'), "object-src 'none'");
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*|unsafe-eval/);
});

test('app:// URLs resolve inside the renderer folder only', () => {
  const root = path.resolve('/srv/app/dist/renderer');
  const table: Array<[string, string | null]> = [
    ['app://renderer/index.html', path.join(root, 'index.html')],
    ['app://renderer/', path.join(root, 'index.html')],
    ['app://renderer/assets/index-abc.js?x=1#y', path.join(root, 'assets', 'index-abc.js')],
    ['app://renderer/a%20b.css', path.join(root, 'a b.css')],
    ['app://renderer/../secret.txt', path.join(root, 'secret.txt')], // URL parsing removes ".."
    ['app://renderer/%2e%2e/%2e%2e/etc/passwd', path.join(root, 'etc', 'passwd')], // also normalised
    ['app://renderer/..%2f..%2fetc/passwd', null],
    ['app://renderer/%5c..%5cx', null],
    ['app://renderer/%00', null],
    ['app://renderer/%E0%A4%A', null],
    ['app://evil/index.html', null],
    ['file:///etc/passwd', null],
    ['https://renderer/index.html', null],
    ['not a url', null],
  ];
  for (const [url, expected] of table) assert.equal(resolveRendererFile(root, url), expected, url);
});

test('navigation stays in the app', () => {
  assert.ok(isAllowedNavigation(rendererUrl('settings', 'main')));
  assert.ok(isAllowedNavigation(`${APP_ORIGIN}/index.html#dashboard`));
  for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://other/index.html', 'javascript:alert(1)', '']) {
    assert.equal(isAllowedNavigation(url), false, url);
  }
});

test('IPC is trusted only from the main frame of our windows showing our page', () => {
  const ours = new Set([3, 4]);
  const good = { webContentsId: 3, frameUrl: `${APP_ORIGIN}/index.html`, isMainFrame: true };
  assert.ok(isTrustedSender(good, ours));
  assert.equal(isTrustedSender({ ...good, webContentsId: 9 }, ours), false);
  assert.equal(isTrustedSender({ ...good, isMainFrame: false }, ours), false);
  assert.equal(isTrustedSender({ ...good, frameUrl: 'https://example.com/' }, ours), false);
  assert.equal(isTrustedSender({ ...good, frameUrl: null }, ours), false);
});

test('served files get their content type', () => {
  assert.match(mimeTypeFor('/x/index.html'), /text\/html/);
  assert.match(mimeTypeFor('/x/a.JS'), /javascript/);
  assert.equal(mimeTypeFor('/x/model.wasm'), 'application/wasm');
  assert.equal(mimeTypeFor('/x/unknown.bin'), 'application/octet-stream');
});

test('the popover sits under the tray icon and inside the screen', () => {
  const work = { x: 0, y: 25, width: 1440, height: 875 };
  const size = { width: 360, height: 480 };
  assert.deepEqual(popoverPosition({ x: 1000, y: 0, width: 22, height: 24 }, size, work), { x: 831, y: 28 });
  // Near the right edge it is pushed left so it stays on screen.
  assert.deepEqual(popoverPosition({ x: 1420, y: 0, width: 22, height: 24 }, size, work), { x: 1080, y: 28 });
  // A tray at the bottom (Windows/Linux) opens above.
  const bottom = popoverPosition({ x: 100, y: 880, width: 22, height: 20 }, size, { x: 0, y: 0, width: 1440, height: 880 });
  assert.deepEqual(bottom, { x: 0, y: 396 });
});

test('only https pages of the project and the model, and the Accessibility pane, leave the app', () => {
  const table: [string, boolean][] = [
    ['https://github.com/hexgrad/kokoro', true],
    ['https://huggingface.co/hexgrad/Kokoro-82M', true],
    ['x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility', true],
    ['x-apple.systempreferences:com.apple.preference.security?Privacy_FullDisk', false],
    ['x-apple.systempreferences:com.apple.preference.security?Privacy_Accessibility&x', false],
    ['http://github.com/hexgrad/kokoro', false],
    ['https://github.com.evil.example/', false],
    ['https://evil.example/github.com', false],
    ['https://user:pw@github.com/', false],
    ['https://github.com@evil.example/', false],
    ['https://github.com:8443/', false],
    ['https://gist.github.com/x', false],
    ['file:///Applications/Calculator.app', false],
    ['smb://evil.example/share', false],
    ['javascript:alert(1)', false],
    ['vscode://file/etc/passwd', false],
    ['app://renderer/index.html', false],
    ['', false],
    ['not a url', false],
  ];
  for (const [url, expected] of table) assert.equal(isAllowedExternalUrl(url), expected, url);
  const opened: string[] = [];
  const open = async (url: string) => void opened.push(url);
  assert.equal(openExternalIfAllowed('https://github.com/hexgrad/kokoro', open), true);
  assert.equal(openExternalIfAllowed('file:///etc/passwd', open), false);
  assert.deepEqual(opened, ['https://github.com/hexgrad/kokoro']);
});

test('permissions: clipboard writes from our own pages, nothing else', () => {
  const table: [string, string | undefined, boolean][] = [
    ['clipboard-sanitized-write', APP_ORIGIN, true],
    ['clipboard-sanitized-write', `${APP_ORIGIN}/index.html`, true],
    ['clipboard-sanitized-write', 'https://evil.example', false],
    ['clipboard-sanitized-write', undefined, false],
    ['clipboard-read', APP_ORIGIN, false],
    ['media', APP_ORIGIN, false],
    ['notifications', APP_ORIGIN, false],
    ['openExternal', APP_ORIGIN, false],
    ['geolocation', APP_ORIGIN, false],
    ['hid', APP_ORIGIN, false],
    ['fileSystem', APP_ORIGIN, false],
  ];
  for (const [permission, url, expected] of table) assert.equal(isAllowedPermission(permission, url), expected, `${permission} ${url}`);
});

/** A stand-in for a WebContents: records the listeners and the window-open handler it is given. */
function fakeContents() {
  const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined;
  const contents = {
    on(event: string, listener: (event: { preventDefault(): void }, url: string) => void) {
      listeners.set(event, listener);
      return contents;
    },
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }) {
      openHandler = handler;
    },
  };
  /** Fires `event` with `url`; true when the guard refused it. */
  const fire = (event: string, url = ''): boolean => {
    let prevented = false;
    const listener = listeners.get(event);
    assert.ok(listener, `a ${event} guard is installed`);
    listener({ preventDefault: () => void (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

test('guardWebContents refuses navigation and redirects away, webviews and new windows', () => {
  const opened: string[] = [];
  const { contents, fire, open } = fakeContents();
  guardWebContents(contents, async (url) => void opened.push(url));
  const table: [string, string, boolean][] = [
    ['will-navigate', 'app://renderer/index.html#settings', false],
    ['will-navigate', 'https://evil.example/', true],
    ['will-navigate', 'file:///etc/passwd', true],
    ['will-redirect', 'app://renderer/index.html', false],
    ['will-redirect', 'https://evil.example/', true],
    ['will-attach-webview', '', true],
  ];
  for (const [event, url, refused] of table) assert.equal(fire(event, url), refused, `${event} ${url}`);
  assert.deepEqual(open('https://github.com/hexgrad/kokoro'), { action: 'deny' });
  assert.deepEqual(open('https://evil.example/'), { action: 'deny' });
  assert.deepEqual(open('app://renderer/index.html'), { action: 'deny' });
  assert.deepEqual(opened, ['https://github.com/hexgrad/kokoro'], 'only the allowed link went to the browser');
});

test('guardSession answers permission checks and requests with the allow-list', () => {
  let check: ((contents: unknown, permission: string, origin: string) => boolean) | undefined;
  let request:
    | ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void)
    | undefined;
  guardSession({
    setPermissionCheckHandler: (h) => void (check = h),
    setPermissionRequestHandler: (h) => void (request = h),
  });
  assert.ok(check && request);
  assert.equal(check(null, 'media', APP_ORIGIN), false);
  assert.equal(check(null, 'clipboard-sanitized-write', APP_ORIGIN), true);
  const answers: boolean[] = [];
  request(null, 'media', (granted) => answers.push(granted), { requestingUrl: `${APP_ORIGIN}/index.html` });
  request(null, 'clipboard-sanitized-write', (granted) => answers.push(granted), { requestingUrl: `${APP_ORIGIN}/index.html` });
  request(null, 'clipboard-sanitized-write', (granted) => answers.push(granted), {});
  assert.deepEqual(answers, [false, true, false]);
});

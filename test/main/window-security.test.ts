// Runs under node:test: window security rules: webPreferences, CSP, served files, navigation,
// IPC senders, and popover placement.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  isAllowedNavigation,
  isTrustedSender,
  mimeTypeFor,
  popoverPosition,
  rendererUrl,
  resolveRendererFile,
  secureWebPreferences,
} from '../../src-main/window-security.ts';

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

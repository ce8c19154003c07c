// Runs under node:test: the dev host's allow-lists, test token and message checks as plain
// functions (see [Note: The dev host trusts only itself]); server-security.test.ts sends the
// same cases over real HTTP and WebSocket.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  WS_MAX_PAYLOAD_BYTES,
  allowedHosts,
  isAllowedHost,
  isAllowedOrigin,
  isValidTestToken,
  newTestToken,
  parseClientFrame,
  parseTestCommand,
} from '../../../src-main/dev-host/guards.ts';
import { MAX_TEXT_CHARS } from '../../../src-worker/protocol/messages.ts';

const PORT = 5174;
const HOSTS = allowedHosts(PORT, '127.0.0.1');

test('Host: only loopback names with our own port', () => {
  const table: [string | undefined, boolean][] = [
    ['127.0.0.1:5174', true],
    ['localhost:5174', true],
    ['LOCALHOST:5174', true],
    ['[::1]:5174', true],
    [' 127.0.0.1:5174 ', true],
    ['127.0.0.1', false], // no port: not how a browser names a non-80 port
    ['127.0.0.1:5175', false],
    ['evil.example:5174', false], // DNS rebinding: the name is the attacker's
    ['127.0.0.1.nip.io:5174', false],
    ['localhost.evil.example:5174', false],
    ['0.0.0.0:5174', false],
    ['', false],
    [undefined, false],
  ];
  for (const [header, expected] of table) assert.equal(isAllowedHost(header, HOSTS), expected, String(header));
  // Port 80 is left out of Host by browsers; another bind address is added, IPv6 bracketed.
  assert.ok(isAllowedHost('localhost', allowedHosts(80)));
  assert.ok(isAllowedHost('[::1]:9000', allowedHosts(9000, '::1')));
});

test('Origin: none (not a browser) or http:// plus an allowed host', () => {
  const table: [string | undefined, boolean][] = [
    [undefined, true],
    ['http://127.0.0.1:5174', true],
    ['http://localhost:5174', true],
    ['http://[::1]:5174', true],
    ['http://evil.example:5174', false],
    ['http://evil.example', false],
    ['https://127.0.0.1:5174', false],
    ['http://127.0.0.1:5175', false],
    ['http://127.0.0.1:5174/path', false],
    ['null', false],
    ['', false],
    ['file://', false],
  ];
  for (const [origin, expected] of table) assert.equal(isAllowedOrigin(origin, HOSTS), expected, String(origin));
});

test('test tokens are random and compared whole', () => {
  const token = newTestToken();
  assert.match(token, /^[0-9a-f]{64}$/);
  assert.notEqual(newTestToken(), token);
  const table: [string | string[] | undefined, boolean][] = [
    [token, true],
    [token.toUpperCase(), false],
    [token.slice(0, -1), false],
    [`${token}0`, false],
    ['', false],
    [undefined, false],
    [[token, token], false],
  ];
  for (const [given, expected] of table) assert.equal(isValidTestToken(given, token), expected, String(given));
});

test('test command bodies: AppCommands a hotkey or the tray sends, nothing else', () => {
  const good: unknown[] = [
    { type: 'stop' },
    { type: 'toggle-pause' },
    { type: 'show-view', view: 'dashboard' },
    { type: 'notice', level: 'info', message: 'hello' },
    { type: 'speak-text', text: 'Hi.', source: 'clipboard', actionAt: 1 },
  ];
  for (const command of good) assert.deepEqual(parseTestCommand(JSON.stringify(command)), { ok: true, value: command });
  const bad: [string, RegExp][] = [
    ['not json', /needs an AppCommand as JSON/],
    ['null', /AppCommand/],
    ['[]', /AppCommand/],
    ['{"type":"rm -rf"}', /AppCommand/],
    ['{"type":"stop","extra":1}', /AppCommand/],
    ['{"type":"show-view","view":"../../etc"}', /"view"/],
    ['{"type":"notice","level":"error","message":42}', /"message"/],
    ['{"type":"notice","level":"panic","message":"x"}', /"level"/],
    ['{"type":"notice","level":"info","message":""}', /"message"/],
    [`{"type":"notice","level":"info","message":"${'x'.repeat(2_001)}"}`, /"message"/],
    ['{"type":"speak-text","text":"x","source":"clipboard"}', /"actionAt"/],
    ['{"type":"settings-changed","settings":{}}', /AppCommand/],
  ];
  for (const [body, pattern] of bad) {
    const result = parseTestCommand(body);
    assert.equal(result.ok, false, body.slice(0, 60));
    assert.match(result.ok ? '' : result.message, pattern, body.slice(0, 60));
  }
});

test('client frames: a req with an object, or a call with a number and a method name', () => {
  const table: [string, boolean][] = [
    ['{"t":"req","request":{"type":"stop","id":"s"}}', true],
    ['{"t":"call","n":1,"method":"getSettings"}', true],
    ['{"t":"call","n":2,"method":"updateSettings","arg":{"speed":1}}', true],
    ['{"t":"call","n":3,"method":"nope"}', true], // answered "Unknown bridge method" by the host
    ['null', false],
    ['42', false],
    ['"req"', false],
    ['{}', false],
    ['{"t":"req"}', false],
    ['{"t":"req","request":null}', false],
    ['{"t":"call","method":"getSettings"}', false],
    ['{"t":"call","n":"1","method":"getSettings"}', false],
    ['{"t":"call","n":-1,"method":"getSettings"}', false],
    ['not json', false],
  ];
  for (const [text, ok] of table) assert.equal(parseClientFrame(text) !== null, ok, text);
});

test('the frame limit fits the longest speak request and stays far below ws’s 100 MiB default', () => {
  const worst = JSON.stringify({
    t: 'req',
    request: { type: 'speak', id: 'x'.repeat(200), text: '\u0001'.repeat(MAX_TEXT_CHARS), voice: 'af_heart', speed: 1 },
  });
  assert.ok(Buffer.byteLength(worst) <= WS_MAX_PAYLOAD_BYTES, `${Buffer.byteLength(worst)} > ${WS_MAX_PAYLOAD_BYTES}`);
  assert.ok(WS_MAX_PAYLOAD_BYTES < (100 * 1024 * 1024) / 4);
});

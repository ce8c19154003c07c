// Runs in the browser dev host (plain Node): who may talk to it. The Host and Origin allow-lists,
// the test endpoints' token, the WebSocket frame limit and the checks on what arrives, as plain
// functions and schemas that server.ts applies to every request.
//
// [Note: The dev host trusts only itself]
// The dev host listens on loopback, but any web page the user opens can still send it requests:
// a cross-origin `fetch` (no-cors) can POST, and DNS rebinding points a hostile name at
// 127.0.0.1 so that the page's own origin *is* the dev host's, as far as an Origin-equals-Host
// check can tell. So:
// - Host: every HTTP request and WebSocket upgrade must name this host by a loopback name
//   (127.0.0.1, localhost, [::1]) and its own port. A rebound name ("evil.example:5174") fails.
// - Origin: a WebSocket upgrade, and a test request, carrying an Origin must come from one of
//   those same loopback origins; none at all is a non-browser client (a test, curl), which can
//   reach loopback anyway.
// - Test endpoints (`POST /__test/clipboard`, `/__test/command`) exist only when the host is
//   started for tests (`testEndpoints: true`, `npm run dev -- --test-endpoints`) and need the
//   random token of that run in the `x-kokoro-test-token` header. A custom header also means a
//   browser must ask first (CORS preflight), which this host never grants.
// - Sizes and shapes: WebSocket frames are capped at WS_MAX_PAYLOAD_BYTES, and every frame and
//   command body is parsed with a schema before use; a malformed one is refused, never trusted.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MAX_TEXT_CHARS } from '../../src-worker/protocol/messages.ts';
import type { AppCommand } from '../../src-worker/protocol/messages.ts';
import type { ClientFrame } from '../../src-worker/protocol/wire.ts';

/** Loopback names a page may use to reach the dev host. */
export const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'] as const;

/** Header carrying the test token on the test endpoints. */
export const TEST_TOKEN_HEADER = 'x-kokoro-test-token';

/** Random bytes in a test token (hex-encoded, so twice as many characters). */
const TEST_TOKEN_BYTES = 32;

/**
 * Worst case bytes of one text character in a JSON frame: a control character is escaped as
 * `\u0000`, six bytes (non-ASCII text is at most three bytes of UTF-8 per UTF-16 unit).
 */
const JSON_BYTES_PER_CHAR = 6;

/** Room in a frame for everything besides the text (ids, voice, speed, JSON punctuation). */
const FRAME_OVERHEAD_BYTES = 64 * 1024;

/**
 * Largest WebSocket frame the dev host accepts: a speak request of MAX_TEXT_CHARS characters,
 * each at its worst JSON size. Anything larger closes the socket (1009) before it is buffered.
 */
export const WS_MAX_PAYLOAD_BYTES = MAX_TEXT_CHARS * JSON_BYTES_PER_CHAR + FRAME_OVERHEAD_BYTES;

/** Longest notice a test may show. */
const MAX_NOTICE_CHARS = 2_000;

/** Port HTTP leaves out of Host and Origin. */
const HTTP_DEFAULT_PORT = 80;

/** The Host header values this dev host answers to: each loopback name (and `host`) with `port`. */
export function allowedHosts(port: number, host?: string): Set<string> {
  const names = new Set<string>(LOOPBACK_NAMES);
  if (host !== undefined && host !== '') names.add(host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);
  const out = new Set<string>();
  for (const name of names) {
    out.add(`${name.toLowerCase()}:${port}`);
    if (port === HTTP_DEFAULT_PORT) out.add(name.toLowerCase());
  }
  return out;
}

/** Whether a request's Host header names this dev host (see [Note: The dev host trusts only itself]). */
export function isAllowedHost(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  return hostHeader !== undefined && allowed.has(hostHeader.trim().toLowerCase());
}

/**
 * Whether an Origin header may use the bridge: absent (not a browser) or `http://` plus an
 * allowed host. `null` (sandboxed frames, file: pages) and every other origin are refused.
 */
export function isAllowedOrigin(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && origin === parsed.origin && allowed.has(parsed.host.toLowerCase());
}

/** A fresh random token for one run's test endpoints. */
export function newTestToken(): string {
  return randomBytes(TEST_TOKEN_BYTES).toString('hex');
}

/** Whether the token header given matches `token`, compared in constant time. */
export function isValidTestToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(token, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The AppCommands a test may send through `POST /__test/command`: what hotkeys and the tray
 * send. `settings-changed` is not among them: settings change only through `updateSettings`,
 * which validates them.
 */
const testCommandSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('speak-text'),
      text: z.string().max(MAX_TEXT_CHARS),
      source: z.enum(['clipboard', 'selection']),
      actionAt: z.number().finite(),
    })
    .strict(),
  z.object({ type: z.literal('stop') }).strict(),
  z.object({ type: z.literal('toggle-pause') }).strict(),
  z.object({ type: z.literal('show-view'), view: z.enum(['speak', 'dashboard', 'benchmark', 'settings']) }).strict(),
  z
    .object({ type: z.literal('notice'), level: z.enum(['info', 'warning', 'error']), message: z.string().min(1).max(MAX_NOTICE_CHARS) })
    .strict(),
]);

/** The outcome of checking something that arrived. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** Checks the JSON body of `POST /__test/command`; the message names what was wrong. */
export function parseTestCommand(body: string): Checked<AppCommand> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { ok: false, message: 'POST /__test/command needs an AppCommand as JSON, e.g. {"type":"stop"}' };
  }
  const parsed = testCommandSchema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data as AppCommand };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  return { ok: false, message: `Not an AppCommand a test may send${where}: ${issue?.message ?? 'invalid'}` };
}

/** Longest bridge method name; an unknown name is answered "Unknown bridge method" by the host. */
const MAX_METHOD_CHARS = 100;

// The request itself is checked by the worker's host (parseRequest), which answers a malformed
// one with `bad-request`; here it only has to be an object.
const clientFrameSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('req'), request: z.record(z.string(), z.unknown()) }),
  z.object({
    t: z.literal('call'),
    n: z.number().int().nonnegative(),
    method: z.string().max(MAX_METHOD_CHARS),
    arg: z.unknown().optional(),
  }),
]);

/** Checks a text frame from a page; null when it is not a ClientFrame (it is then dropped). */
export function parseClientFrame(text: string): ClientFrame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = clientFrameSchema.safeParse(raw);
  return parsed.success ? (parsed.data as ClientFrame) : null;
}

// Runs in the CLI and the tests (never on the synthesis path): a resumable, verifying HTTP(S)
// download of one file, written for the asset fetcher.
//
// [Note: Resumable, atomic downloads]
// Bytes arrive in `<dest>.part`. If that file already exists (an earlier run was cut off) we ask
// for the rest with an HTTP Range request and append, falling back to a fresh download when the
// server ignores the range. Only when the whole `.part` has the expected size and sha256 is it
// renamed to `<dest>`; a wrong file is deleted and reported, so `<dest>` only ever holds verified
// bytes. Connecting has its own short deadline: on machines where the official hosts are
// blocked a download must fail in seconds, not hang until the operating system gives up.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/** How long to wait for a server's response headers before giving up on it. */
export const CONNECT_TIMEOUT_MS = 8_000;

/** How long a response body may stall before the download is abandoned (and can be resumed). */
export const IDLE_TIMEOUT_MS = 30_000;

/** Redirects followed per request (release hosts redirect once or twice to a CDN). */
const MAX_REDIRECTS = 5;

/** Suffix of the temporary file a download is written to. */
export const PART_SUFFIX = '.part';

const HTTP_OK = 200;
const HTTP_PARTIAL = 206;
const HTTP_RANGE_NOT_SATISFIABLE = 416;
const HTTP_REDIRECT_MIN = 300;
const HTTP_REDIRECT_MAX = 399;

const USER_AGENT = 'kokoro-bar-fetch/1';

/** A download that failed; `unreachable` is true when the host could not be reached at all. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';

  constructor(
    message: string,
    readonly unreachable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Options of one download. */
export interface DownloadOptions {
  /** Exact size the file must have. */
  size: number;
  /** sha256 the file must have (lowercase hex). */
  sha256: string;
  /** Told the bytes on disk so far and the expected total, as they arrive. */
  onBytes?: (bytes: number, total: number) => void;
  /** Told the bytes hashed so far while the finished file is verified. */
  onVerify?: (bytes: number, total: number) => void;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** Downloads `url` to `dest` resumably and atomically (see [Note: Resumable, atomic downloads]). */
export async function download(url: string, dest: string, opts: DownloadOptions): Promise<void> {
  const part = dest + PART_SUFFIX;
  let have = await sizeOf(part);
  if (have > opts.size) {
    await fsp.rm(part, { force: true });
    have = 0;
  }
  if (have < opts.size) await fetchInto(url, part, have, opts);
  await verifyFile(part, opts.size, opts.sha256, `${url}`, true, opts.onVerify);
  await fsp.rename(part, dest);
}

/**
 * Checks that `file` has `size` bytes and hashes to `sha256`; otherwise deletes it (when asked)
 * and throws an error naming `what`. `onVerify` is told the bytes hashed so far.
 */
export async function verifyFile(
  file: string,
  size: number,
  sha256: string,
  what: string,
  removeIfBad: boolean,
  onVerify?: (bytes: number, total: number) => void,
): Promise<void> {
  const actualSize = await sizeOf(file);
  const problem =
    actualSize !== size
      ? `has ${actualSize} bytes, expected ${size}`
      : (await sha256File(file, onVerify && ((bytes) => onVerify(bytes, size)))) !== sha256
        ? `does not match its sha256 ${sha256}`
        : undefined;
  if (problem === undefined) return;
  if (removeIfBad) await fsp.rm(file, { force: true });
  throw new DownloadError(`${what} ${problem}; the file was discarded.`, false);
}

/**
 * The sha256 of a file, streamed (a 325 MB model is never held in memory); `onBytes` is told the
 * bytes hashed so far, for a "verifying…" progress line.
 */
export async function sha256File(file: string, onBytes?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(createReadStream(file), async function* (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(bytes);
    }
  });
  return hash.digest('hex');
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fsp.stat(file)).size;
  } catch {
    return 0;
  }
}

// One GET, following redirects; appends to `part` from byte `from` when the server honours Range.
async function fetchInto(url: string, part: string, from: number, opts: DownloadOptions): Promise<void> {
  const response = await request(url, from, opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
  const status = response.statusCode ?? 0;
  const resumed = status === HTTP_PARTIAL && from > 0 && rangeStart(response.headers['content-range']) === from;
  if (from > 0 && !resumed && (status === HTTP_PARTIAL || status === HTTP_RANGE_NOT_SATISFIABLE)) {
    // A 416, or a 206 from some other offset: our partial file does not fit this server's idea
    // of the file, so start over without a range.
    response.resume();
    await fsp.rm(part, { force: true });
    return fetchInto(url, part, 0, opts);
  }
  if (status !== HTTP_OK && !resumed) {
    response.resume();
    throw new DownloadError(`${url} answered HTTP ${status}.`, false);
  }
  // A 200 means the server ignored Range (or none was sent): write from the start.
  const start = resumed ? from : 0;
  let bytes = start;
  const idleMs = opts.idleTimeoutMs ?? IDLE_TIMEOUT_MS;
  response.setTimeout(idleMs, () => response.destroy(new DownloadError(`${url} stalled for ${idleMs / 1000} s.`, false)));
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > opts.size) {
        done(new DownloadError(`${url} sent more than the expected ${opts.size} bytes.`, false));
        return;
      }
      opts.onBytes?.(bytes, opts.size);
      done(null, chunk);
    },
  });
  opts.onBytes?.(bytes, opts.size);
  try {
    await pipeline(response, counter, createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }));
  } catch (error) {
    if (error instanceof DownloadError) throw error;
    // The partial file stays: the next run resumes from it.
    throw new DownloadError(`Download of ${url} was interrupted: ${messageOf(error)}`, false, { cause: error });
  }
}

function rangeStart(header: string | undefined): number | undefined {
  const match = header?.match(/^bytes (\d+)-\d+\/(?:\d+|\*)$/);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function request(url: string, from: number, connectTimeoutMs: number, redirects = 0): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new DownloadError(`"${url}" is not a valid URL.`, false));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : undefined;
    if (!client) {
      reject(new DownloadError(`"${url}" is not an http(s) URL.`, false));
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
    if (from > 0) headers['range'] = `bytes=${from}-`;
    const req = client.get(parsed, { headers });
    const timer = setTimeout(() => {
      req.destroy(new DownloadError(`${parsed.host} did not answer within ${connectTimeoutMs / 1000} s.`, true));
    }, connectTimeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      if (error instanceof DownloadError) reject(error);
      else reject(new DownloadError(`Could not reach ${parsed.host}: ${messageOf(error)}`, isUnreachable(error), { cause: error }));
    });
    req.on('response', (response) => {
      clearTimeout(timer);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= HTTP_REDIRECT_MIN && status <= HTTP_REDIRECT_MAX && location) {
        response.resume();
        if (redirects >= MAX_REDIRECTS) {
          reject(new DownloadError(`${url} redirected more than ${MAX_REDIRECTS} times.`, false));
          return;
        }
        resolve(request(new URL(location, parsed).href, from, connectTimeoutMs, redirects + 1));
        return;
      }
      resolve(response);
    });
  });
}

const UNREACHABLE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
]);

function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

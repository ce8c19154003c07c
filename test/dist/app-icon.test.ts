// Runs in the Node test runner: the committed app icon is exactly what its generator draws,
// and the .icns holds a PNG of the right size under every type tag (see [Note: Icon geometry]).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import zlib from 'node:zlib';
import {
  ICNS_ENTRIES, ICNS_FILE, MASTER_PNG_FILE, MASTER_SIZE, encodePng, makeAppIcon, renderIcon,
} from '../../assets/mac/make-app-icon.ts';

const PNG_SIGNATURE = '89504e470d0a1a0a';

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  assert.equal(png.subarray(0, 8).toString('hex'), PNG_SIGNATURE, 'not a PNG');
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

/** The (type, data) entries of an .icns file. */
function icnsEntries(icns: Buffer): Array<{ type: string; data: Buffer }> {
  const entries = [];
  for (let at = 8; at < icns.length;) {
    const length = icns.readUInt32BE(at + 4);
    assert.ok(length > 8 && at + length <= icns.length, `bad entry length ${length} at ${at}`);
    entries.push({ type: icns.subarray(at, at + 4).toString('latin1'), data: icns.subarray(at + 8, at + length) });
    at += length;
  }
  return entries;
}

test('the committed icon files are what make-app-icon.ts draws (run it after changing it)', () => {
  const { png, icns } = makeAppIcon();
  assert.ok(png.equals(readFileSync(MASTER_PNG_FILE)), 'icon-1024.png is stale: run `node --import tsx assets/mac/make-app-icon.ts`');
  assert.ok(icns.equals(readFileSync(ICNS_FILE)), 'icon.icns is stale: run `node --import tsx assets/mac/make-app-icon.ts`');
});

test('the .icns has every type tag, each a PNG of its size', () => {
  const icns = readFileSync(ICNS_FILE);
  assert.equal(icns.subarray(0, 4).toString('latin1'), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  const entries = icnsEntries(icns);
  assert.deepEqual(entries.map((e) => e.type), ICNS_ENTRIES.map((e) => e.type));
  for (const [i, { data }] of entries.entries()) {
    const size = ICNS_ENTRIES[i]!.size;
    assert.deepEqual(pngSize(data), [size, size], `${ICNS_ENTRIES[i]!.type} should be ${size} px`);
  }
  assert.deepEqual(pngSize(readFileSync(MASTER_PNG_FILE)), [MASTER_SIZE, MASTER_SIZE]);
});

test('the drawing: transparent corners, opaque body, a white bubble around a coloured wave', () => {
  const size = 64;
  const rgba = renderIcon(size);
  const at = (x: number, y: number) => [...rgba.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
  assert.deepEqual(at(0, 0), [0, 0, 0, 0], 'corner must be transparent');
  assert.equal(at(8, 32)[3], 255, 'body must be opaque');
  assert.deepEqual(at(18, 29), [255, 255, 255, 255], 'bubble beside the wave must be white');
  const centreBar = at(32, 29);
  assert.equal(centreBar[3], 255);
  assert.ok(centreBar[2]! > 200 && centreBar[0]! < 150, `the wave must show the violet background, got ${centreBar}`);
});

test('encodePng writes a PNG that zlib can read back to the same pixels', () => {
  const size = 3;
  const rgba = Buffer.from(Array.from({ length: size * size * 4 }, (_, i) => (i * 37) % 256));
  const png = encodePng(rgba, size);
  const idat = png.indexOf('IDAT', 0, 'latin1');
  const length = png.readUInt32BE(idat - 4);
  const raw = zlib.inflateSync(png.subarray(idat + 4, idat + 4 + length));
  const rows = Array.from({ length: size }, (_, y) => raw.subarray(y * (size * 4 + 1) + 1, (y + 1) * (size * 4 + 1)));
  assert.ok(Buffer.concat(rows).equals(rgba));
  assert.throws(() => renderIcon(0), /size must be a positive integer/);
});

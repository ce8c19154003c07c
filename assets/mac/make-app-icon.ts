// Runs at development time (by hand, and in test/dist/app-icon.test.ts): draws Kokoro Bar's app
// icon, a white speech bubble holding a sound wave on a violet squircle, and writes the 1024 px
// PNG and the .icns that electron-builder.yml names. No image tool needed: shapes are sampled
// analytically, PNG is zlib plus CRC, and an .icns is a list of PNGs with type tags.
//
//   node --import tsx assets/mac/make-app-icon.ts     (rewrites icon-1024.png and icon.icns)
//
// [Note: Icon geometry]
// Coordinates are fractions of the canvas, so every size is drawn from the shapes themselves
// rather than scaled down from the 1024 px image (small sizes stay crisp). The body follows
// Apple's macOS icon grid: an 824/1024 square centred on the canvas with superellipse corners.
// Each pixel is the mean of SUPERSAMPLE × SUPERSAMPLE point samples, which anti-aliases edges.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

/** Size of the master PNG, in pixels. */
export const MASTER_SIZE = 1024;

/** The PNG entries of the .icns: type tag and pixel size (the @2x types are the larger sizes). */
export const ICNS_ENTRIES: ReadonlyArray<{ type: string; size: number }> = [
  { type: 'icp4', size: 16 },
  { type: 'icp5', size: 32 },
  { type: 'ic11', size: 32 },
  { type: 'icp6', size: 64 },
  { type: 'ic12', size: 64 },
  { type: 'ic07', size: 128 },
  { type: 'ic08', size: 256 },
  { type: 'ic13', size: 256 },
  { type: 'ic09', size: 512 },
  { type: 'ic14', size: 512 },
  { type: 'ic10', size: 1024 },
];

const SUPERSAMPLE = 4;
const BODY_HALF = 824 / 1024 / 2;
const BODY_EXPONENT = 5; // superellipse |x|^n + |y|^n <= 1: close to Apple's continuous corners
const TOP_COLOUR = [0x8b, 0x5c, 0xf6] as const; // violet
const BOTTOM_COLOUR = [0x3b, 0x5b, 0xdb] as const; // indigo-blue
const BUBBLE = { cx: 0.5, cy: 0.46, halfW: 0.27, halfH: 0.19, radius: 0.11 } as const;
const TAIL = [
  [0.36, 0.6],
  [0.48, 0.6],
  [0.31, 0.74],
] as const;
const BAR_HALF_WIDTH = 0.022;
const BAR_SPACING = 0.075;
const BAR_HALF_HEIGHTS = [0.045, 0.095, 0.13, 0.095, 0.045] as const;

type Rgb = [number, number, number];
const WHITE = 255;
const OPAQUE = 255;

// Math.hypot is several times slower than this in V8, and the icon takes ~27 M samples.
function length(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

function insideBody(x: number, y: number): boolean {
  const dx = Math.abs(x - 0.5) / BODY_HALF;
  const dy = Math.abs(y - 0.5) / BODY_HALF;
  if (dx > 1 || dy > 1) return false;
  return Math.pow(dx, BODY_EXPONENT) + Math.pow(dy, BODY_EXPONENT) <= 1;
}

function insideRoundedRect(x: number, y: number): boolean {
  const qx = Math.abs(x - BUBBLE.cx) - (BUBBLE.halfW - BUBBLE.radius);
  const qy = Math.abs(y - BUBBLE.cy) - (BUBBLE.halfH - BUBBLE.radius);
  return length(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) <= BUBBLE.radius;
}

function cross(px: number, py: number, qx: number, qy: number, x: number, y: number): number {
  return (qx - px) * (y - py) - (qy - py) * (x - px);
}

const [[TAIL_AX, TAIL_AY], [TAIL_BX, TAIL_BY], [TAIL_CX, TAIL_CY]] = TAIL;

function insideTail(x: number, y: number): boolean {
  const ax = TAIL_AX,
    ay = TAIL_AY,
    bx = TAIL_BX,
    by = TAIL_BY,
    cx = TAIL_CX,
    cy = TAIL_CY;
  const s1 = cross(ax, ay, bx, by, x, y);
  const s2 = cross(bx, by, cx, cy, x, y);
  const s3 = cross(cx, cy, ax, ay, x, y);
  return (s1 >= 0 && s2 >= 0 && s3 >= 0) || (s1 <= 0 && s2 <= 0 && s3 <= 0);
}

function insideBar(x: number, y: number): boolean {
  // Plain index loop: this runs for millions of samples, so no iterator allocation.
  for (let i = 0; i < BAR_HALF_HEIGHTS.length; i++) {
    const cx = BUBBLE.cx + (i - (BAR_HALF_HEIGHTS.length - 1) / 2) * BAR_SPACING;
    // A capsule: distance to the bar's vertical centre segment within the half width.
    const dy = Math.max(Math.abs(y - BUBBLE.cy) - BAR_HALF_HEIGHTS[i]!, 0);
    if (length(x - cx, dy) <= BAR_HALF_WIDTH) return true;
  }
  return false;
}

/** What covers the point (x, y): nothing, the white bubble, or the coloured background. */
const enum Cover {
  None,
  Bubble,
  Background,
}

function cover(x: number, y: number): Cover {
  if (!insideBody(x, y)) return Cover.None;
  if ((insideRoundedRect(x, y) || insideTail(x, y)) && !insideBar(x, y)) return Cover.Bubble;
  return Cover.Background; // the wave's bars are cut out of the bubble down to the background
}

/** The background's top-left to bottom-right gradient at (x, y). */
function gradient(x: number, y: number): Rgb {
  const t = Math.min(Math.max((x + y) / 2, 0), 1);
  return [0, 1, 2].map((c) => TOP_COLOUR[c]! + (BOTTOM_COLOUR[c]! - TOP_COLOUR[c]!) * t) as Rgb;
}

/** The icon at `size` × `size` pixels, as straight (not premultiplied) RGBA bytes. */
export function renderIcon(size: number): Buffer {
  if (!Number.isInteger(size) || size < 1) throw new Error(`renderIcon: size must be a positive integer, got ${size}.`);
  const pixels = Buffer.alloc(size * size * 4);
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bubble = 0;
      let background = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const c = cover((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size);
          if (c === Cover.Bubble) bubble++;
          else if (c === Cover.Background) background++;
        }
      }
      const covered = bubble + background;
      if (covered === 0) continue;
      // Mix the covering colours by their share of the covered samples (straight alpha, so
      // transparent samples do not darken the edge), then alpha is the covered share.
      const bg = gradient((px + 0.5) / size, (py + 0.5) / size);
      const o = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[o + c] = Math.round((bubble * WHITE + background * bg[c]!) / covered);
      pixels[o + 3] = Math.round((covered / samples) * OPAQUE);
    }
  }
  return pixels;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes straight RGBA bytes as an 8-bit RGBA PNG. */
export function encodePng(rgba: Buffer, size: number): Buffer {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // bit depth 8, colour type 6 (RGBA), deflate, no filter set, no interlace
  const stride = size * 4;
  const raw = Buffer.alloc((stride + 1) * size);
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride); // filter 0
  return Buffer.concat([
    signature,
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Builds an .icns file from PNG images keyed by their icns type tag. */
export function encodeIcns(entries: ReadonlyArray<{ type: string; png: Buffer }>): Buffer {
  const parts = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + head.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(head.length + parts.reduce((sum, p) => sum + p.length, 0), 4);
  return Buffer.concat([head, ...parts]);
}

/** The master PNG and the .icns, as bytes. */
export function makeAppIcon(): { png: Buffer; icns: Buffer } {
  const pngs = new Map<number, Buffer>();
  const pngOf = (size: number): Buffer => {
    let png = pngs.get(size);
    if (!png) pngs.set(size, (png = encodePng(renderIcon(size), size)));
    return png;
  };
  return {
    png: pngOf(MASTER_SIZE),
    icns: encodeIcns(ICNS_ENTRIES.map(({ type, size }) => ({ type, png: pngOf(size) }))),
  };
}

/** Where the generated files are committed. */
export const ICON_DIR = path.dirname(fileURLToPath(import.meta.url));
export const MASTER_PNG_FILE = path.join(ICON_DIR, 'icon-1024.png');
export const ICNS_FILE = path.join(ICON_DIR, 'icon.icns');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { png, icns } = makeAppIcon();
  writeFileSync(MASTER_PNG_FILE, png);
  writeFileSync(ICNS_FILE, icns);
  console.log(`wrote ${MASTER_PNG_FILE} (${png.length} bytes) and ${ICNS_FILE} (${icns.length} bytes)`);
}

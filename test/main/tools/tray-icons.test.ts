// Runs under node:test: the committed tray icons are macOS template images: pure black with
// alpha, 1x and 2x of the same design, and the speaking icon differs from the idle one.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PNG } from 'pngjs';

const ICON_POINTS = 18;
const names = ['trayTemplate', 'traySpeakingTemplate'];

function load(file: string): PNG {
  return PNG.sync.read(readFileSync(new URL(`../../../assets/${file}.png`, import.meta.url)));
}

function coverage(png: PNG): number {
  let sum = 0;
  for (let i = 3; i < png.data.length; i += 4) sum += png.data[i] ?? 0;
  return sum / 255 / (png.width * png.height);
}

test('template icons are black-and-alpha at 1x and 2x', () => {
  for (const name of names) {
    for (const [suffix, scale] of [
      ['', 1],
      ['@2x', 2],
    ] as const) {
      const png = load(`${name}${suffix}`);
      assert.equal(png.width, ICON_POINTS * scale, `${name}${suffix} width`);
      assert.equal(png.height, ICON_POINTS * scale, `${name}${suffix} height`);
      for (let i = 0; i < png.data.length; i += 4) {
        assert.equal((png.data[i] ?? 0) + (png.data[i + 1] ?? 0) + (png.data[i + 2] ?? 0), 0, `${name}${suffix}: colour must be black`);
      }
      const c = coverage(png);
      assert.ok(c > 0.1 && c < 0.6, `${name}${suffix} has a visible glyph (coverage ${c})`);
    }
    // 1x and 2x draw the same shape: their ink coverage agrees closely.
    assert.ok(Math.abs(coverage(load(name)) - coverage(load(`${name}@2x`))) < 0.03, name);
  }
  assert.ok(coverage(load('traySpeakingTemplate')) > coverage(load('trayTemplate')) + 0.05);
});

// Runs under Node at development time (`npm run make:tray-icons`): draws the menu-bar template
// icons into assets/. Committed output; rerun after changing the drawing.
//
// [Note: Template icons]
// macOS tints a menu-bar "template" image itself (black in light mode, white in dark mode, blue
// when highlighted), using only its alpha channel; Electron marks an image as a template when its
// file name ends in "Template". So the icons are pure black with anti-aliased alpha, 18×18 points
// (1x) plus a 36×36 @2x file that Electron picks on Retina screens. Idle: a speaker with one
// sound wave; speaking: three waves.

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

/** Icon size in points (the menu bar is 22 points tall; 18 leaves macOS's usual margin). */
export const ICON_POINTS = 18;

/** Sub-samples per pixel side for anti-aliasing. */
const SUPERSAMPLE = 8;

const WAVE_THICKNESS = 1.5;
const WAVE_HALF_ANGLE = (50 * Math.PI) / 180;
const WAVE_CENTRE = { x: 8, y: 9 };
const WAVE_RADII = [3.6, 6.2, 8.8];

type Shape = (x: number, y: number) => boolean;

// The speaker, in point coordinates (origin top-left).
const body: Shape = (x, y) => x >= 2 && x <= 5 && y >= 6.5 && y <= 11.5;
const cone: Shape = (x, y) => {
  if (x < 5 || x > 8.5) return false;
  const spread = 2.5 + ((x - 5) / 3.5) * 3.5; // half-height grows from 2.5 to 6
  return Math.abs(y - 9) <= spread;
};
const wave =
  (radius: number): Shape =>
  (x, y) => {
    const dx = x - WAVE_CENTRE.x;
    const dy = y - WAVE_CENTRE.y;
    const r = Math.hypot(dx, dy);
    return dx > 0 && Math.abs(r - radius) <= WAVE_THICKNESS / 2 && Math.abs(Math.atan2(dy, dx)) <= WAVE_HALF_ANGLE;
  };

function draw(shapes: Shape[], scale: number): Buffer {
  const size = ICON_POINTS * scale;
  const png = new PNG({ width: size, height: size });
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE) / scale;
          const y = (py + (sy + 0.5) / SUPERSAMPLE) / scale;
          if (shapes.some((shape) => shape(x, y))) hits++;
        }
      }
      const offset = (py * size + px) * 4;
      png.data[offset] = 0;
      png.data[offset + 1] = 0;
      png.data[offset + 2] = 0;
      png.data[offset + 3] = Math.round((255 * hits) / (SUPERSAMPLE * SUPERSAMPLE));
    }
  }
  return PNG.sync.write(png);
}

/** The icon files: name → shapes. */
export const TRAY_ICONS = {
  trayTemplate: [body, cone, wave(WAVE_RADII[0] ?? 0)],
  traySpeakingTemplate: [body, cone, ...WAVE_RADII.map(wave)],
} as const;

async function main(): Promise<void> {
  const assets = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets');
  await fs.mkdir(assets, { recursive: true });
  for (const [name, shapes] of Object.entries(TRAY_ICONS)) {
    for (const scale of [1, 2]) {
      const file = path.join(assets, `${name}${scale === 1 ? '' : `@${scale}x`}.png`);
      await fs.writeFile(file, draw([...shapes], scale));
      console.log(`wrote ${path.relative(process.cwd(), file)}`);
    }
  }
}

await main();

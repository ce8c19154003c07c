// Runs in Node at build time: builds the renderer into dist/renderer with relative asset paths,
// so Electron can load it from file:// and the dev host can serve it from any folder.

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 41 ships a current Chromium; no need to down-level.
    target: 'chrome130',
    sourcemap: true,
  },
  worker: { format: 'es' },
});

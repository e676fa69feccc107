/**
 * The renderer's build for browser mode and the tests (`vite build -c renderer/vite.config.ts` → build/renderer).
 * The desktop app builds the same renderer through electron.vite.config.ts.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../build/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // The app loads from loopback or from the shell's own files: no CDN, no preload polyfill injected inline.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1500,
  },
});

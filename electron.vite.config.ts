/**
 * The desktop app's build (electron-vite 6): main → out/main/index.js (ES module), preload →
 * out/preload/index.cjs (CommonJS: sandboxed preloads cannot be ES modules), renderer → out/renderer.
 * Not used by `npm test` or browser mode, which build the renderer with renderer/vite.config.ts.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  main: {
    build: {
      // cap and ssh2 are native: loaded from node_modules (unpacked from the asar), rebuilt for Electron's ABI.
      externalizeDeps: true,
      rolldownOptions: { input: { index: path('main/electron/main.ts'), agent: path('main/tester/agent.ts') } },
    },
  },
  preload: {
    build: {
      externalizeDeps: true,
      rolldownOptions: {
        input: { index: path('main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: path('renderer'),
    plugins: [react()],
    build: {
      outDir: path('out/renderer'),
      rolldownOptions: { input: path('renderer/index.html') },
    },
  },
});

// electron-vite: main (+ the host worker and the CLI as their own entries, so every entry sits
// in out/main/ beside host-worker.js), the sandboxed preload (CommonJS, as sandboxed preloads
// must be), and the renderer (shared with vite.renderer.config.ts).
import { defineConfig } from 'electron-vite';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rendererConfig } from './vite.renderer.config';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: path.join(root, 'out/main'),
      rollupOptions: {
        input: {
          main: path.join(root, 'src-main/app/main.ts'),
          'host-worker': path.join(root, 'src-main/host/worker/host-worker.ts'),
          cli: path.join(root, 'src-main/cli.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: path.join(root, 'out/preload'),
      rollupOptions: {
        input: { preload: path.join(root, 'src-main/app/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});

// The renderer build, on its own (npm run build:renderer -> out/renderer, what serve mode
// serves) and as the renderer part of electron.vite.config.ts. Relative base so the same files
// load from file:// in Electron and from / in serve mode.
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export const rendererConfig: UserConfig = {
  root: path.join(root, 'src-renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'out/renderer'),
    emptyOutDir: true,
    target: 'chrome130',
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: path.join(root, 'src-renderer/index.html') },
  },
  worker: { format: 'es' },
};

export default defineConfig(rendererConfig);

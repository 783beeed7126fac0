// Builds the preview harness pages (ours and gcode-preview's) for the e2e test and benchmark.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  logLevel: 'warn',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4000,
    minify: false,
    rollupOptions: {
      input: { index: path.join(here, 'index.html'), gcodePreview: path.join(here, 'gcode-preview.html') },
    },
  },
});

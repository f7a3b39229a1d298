/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The build goes where `./grantha serve` looks for it (artifacts/web beside artifacts/app).
// `npm run dev` proxies the API to a running `./grantha serve`.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: '../artifacts/web',
    emptyOutDir: true,
    // No inline module preload polyfill: the server's Content-Security-Policy allows no inline script.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:5080' },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test-setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});

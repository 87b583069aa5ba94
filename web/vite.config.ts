import { defineConfig } from 'vite';

// The campaign page, bundled at install time (npm install → scripts/generate.mjs) into web/dist,
// which callboard serves at / (src/files/page.ts). Everything is bundled: the machines it runs on
// may have no internet, and the page's Content-Security-Policy allows only its own origin.
export default defineConfig({
  base: '/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true, assetsDir: 'assets', sourcemap: true },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Two pages from one build: the players' page and the operator's console (served at /console, behind
// the Rooms API keys). They share the stylesheet, so the console looks like the players' page.
export default defineConfig({
  build: {
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        console: fileURLToPath(new URL('./console.html', import.meta.url)),
      },
    },
  },
});

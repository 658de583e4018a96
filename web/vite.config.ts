import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// The console lives in web/ but is built into the repo's dist/web, which the server serves at `/`
// with an HTML fallback: portal.html for the employee pages, index.html for the rest. In
// development, API calls are proxied to a local server on :8080.
const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = 'http://127.0.0.1:8080';

/** The dev server's side of the server's rule: /signin, /enroll and /portal are portal.html. */
function employeePagesInDev(): Plugin {
  const employeePage = /^\/(signin|enroll|portal)(?=$|[/?#])/;
  return {
    name: 'tessera-employee-pages',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        if (req.method === 'GET' && req.url && employeePage.test(req.url)) req.url = '/portal.html';
        next();
      });
    },
  };
}

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), employeePagesInDev()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Mantine + React make one ~600 kB chunk; that is expected for an admin console.
    chunkSizeWarningLimit: 1200,
    // Two pages: the admin console, and the employee pages (/signin, /enroll, /portal), which never
    // load the console's code. The server picks the page by path.
    rollupOptions: {
      input: {
        console: fileURLToPath(new URL('./index.html', import.meta.url)),
        portal: fileURLToPath(new URL('./portal.html', import.meta.url)),
      },
      // What both pages use (React, Mantine, the API client) is one shared, cacheable chunk.
      output: {
        chunkFileNames: 'assets/shared-[hash].js',
        assetFileNames: (asset) => (asset.names.some((n) => n.endsWith('.css')) ? 'assets/styles-[hash][extname]' : 'assets/[name]-[hash][extname]'),
      },
    },
  },
  server: {
    proxy: {
      '/api': apiTarget,
      '/healthz': apiTarget,
      '/readyz': apiTarget,
    },
  },
});

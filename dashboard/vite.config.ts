import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The local front (nexus up) serves /api, /cognito/ and /config.json on the same origin;
// `npm run dev` proxies them to it.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/cognito/": "http://127.0.0.1:8000",
      "/config.json": "http://127.0.0.1:8000",
    },
  },
  build: { outDir: "dist", sourcemap: false, chunkSizeWarningLimit: 600 },
  test: { environment: "happy-dom", globals: true, include: ["tests/**/*.test.tsx", "tests/**/*.test.ts"] },
});

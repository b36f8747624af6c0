import { defineConfig } from "vite";

export default defineConfig({
  // Relative URLs: the built page works from any folder of any static host, or file-less
  // preview servers, without a rebuild.
  base: "./",
  build: {
    outDir: "build",
    emptyOutDir: true,
    target: "es2022",
    // Keep the .wasm a separate file (streamed and compiled while it downloads).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2048,
  },
  server: { fs: { allow: [".."] } },
});

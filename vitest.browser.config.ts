import { defineConfig } from "vitest/config";

// The browser tests run in Node: they start `wrangler dev` and drive headless
// Chromium against it (see test/browser/). Run with `npm run test:browser`.
export default defineConfig({
  test: {
    include: ["test/browser/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/browser/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 150_000,
  },
});

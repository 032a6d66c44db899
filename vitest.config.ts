import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_VARS } from "./test/helpers/test-settings";

// The suite drives the real Worker and the real PushHub through HTTP inside
// workerd. Short heartbeats and a small queue make drop detection quick to test.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: TEST_VARS },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    // test/browser runs in Node against wrangler dev: vitest.browser.config.ts.
    exclude: ["test/browser/**"],
    testTimeout: 15_000,
    hookTimeout: 15_000,
  },
});

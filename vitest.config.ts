import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_VARS } from "./test/helpers/test-settings.ts";

// Offline: never fetch request.cf data from Cloudflare (this machine has no network but npm).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

const timeouts = { testTimeout: 15_000, hookTimeout: 15_000 };

export default defineConfig({
  test: {
    projects: [
      // The real Worker and the real PushHub, driven through HTTP inside workerd.
      // Short heartbeats and a small queue make drop detection quick to test.
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: TEST_VARS },
          }),
        ],
        test: { name: "worker", include: ["test/**/*.test.ts"], exclude: ["test/e2e/**", "test/browser/**"], ...timeouts },
      },
      // Real sockets against `wrangler dev`, from Node: what only a network shows.
      // (test/browser, which also needs Chromium, runs with `npm run test:browser`.)
      {
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", ...timeouts },
      },
    ],
  },
});

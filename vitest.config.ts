import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { SECURE_VARS, TEST_VARS } from "./test/helpers/test-settings.ts";

// Offline: never fetch request.cf data from Cloudflare (this machine has no network but npm).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

const timeouts = { testTimeout: 15_000, hookTimeout: 15_000 };

/** The real Worker and the real PushHub inside workerd, with these settings. */
function workersProject(
  name: string,
  include: string[],
  vars: Record<string, string>,
  exclude: string[] = [],
): TestProjectInlineConfiguration {
  return {
    plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { bindings: vars } })],
    test: { name, include, exclude, ...timeouts },
  };
}

const DELIVERY_TESTS = ["push", "resume", "inbox", "backpressure", "shards", "live-path"].map((name) => `test/${name}.test.ts`);

export default defineConfig({
  test: {
    projects: [
      // Open mode, as the seed: short heartbeats and a small queue make drop detection quick to test.
      workersProject("worker", ["test/**/*.test.ts"], TEST_VARS, ["test/e2e/**", "test/browser/**", "test/secure/**"]),
      // Delivery must not depend on how many hub objects there are: the same files with four shards.
      workersProject("shards-4", DELIVERY_TESTS, { ...TEST_VARS, HUB_SHARDS: "4" }),
      // SUBSCRIBE_SECRET, ALLOWED_ORIGINS and a small MAX_STREAMS set.
      workersProject("secure", ["test/secure/**/*.test.ts"], SECURE_VARS),
      // Real sockets against `wrangler dev`, from Node: what only a network shows.
      // (test/browser, which also needs Chromium, runs with `npm run test:browser`.)
      { test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", ...timeouts } },
    ],
  },
});

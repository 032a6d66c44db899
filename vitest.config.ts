import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { TEST_VARS } from "./test/helpers/test-settings";

// The suite drives the real Worker and the real PushHub through HTTP inside
// workerd. Short heartbeats and a small queue make drop detection quick to test.
function workersProject(name: string, include: string[], extraBindings: Record<string, string> = {}): TestProjectInlineConfiguration {
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: { bindings: { ...TEST_VARS, ...extraBindings } },
      }),
    ],
    test: { name, include, testTimeout: 15_000, hookTimeout: 15_000 },
  };
}

// Delivery must not depend on how many hub objects there are: these files run
// again with four shards.
const DELIVERY_TESTS = ["test/push.test.ts", "test/shards.test.ts"];

export default defineConfig({
  test: {
    projects: [
      workersProject("default", ["test/**/*.test.ts"]),
      workersProject("shards-4", DELIVERY_TESTS, { HUB_SHARDS: "4" }),
    ],
  },
});

import { cloudflareTest, getRunnerName } from "@cloudflare/vitest-plugin";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { SECURE_VARS, TEST_VARS } from "./test/helpers/test-settings.ts";

// Offline: never fetch request.cf data from Cloudflare (this machine has no network but npm).
process.env.CLOUDFLARE_CF_FETCH_ENABLED ??= "false";

const timeouts = { testTimeout: 15_000, hookTimeout: 15_000 };

type MiniflareOptions = Extract<Parameters<typeof cloudflareTest>[0], { miniflare?: unknown }>["miniflare"];

/** The real Worker and the real PushHub inside workerd, with these settings. */
function workersProject(
  name: string,
  include: string[],
  vars: Record<string, string>,
  exclude: string[] = [],
  miniflare: MiniflareOptions = {},
): TestProjectInlineConfiguration {
  return {
    plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.toml" }, miniflare: { ...miniflare, bindings: vars } })],
    test: { name, include, exclude, ...timeouts },
  };
}

/**
 * A second Worker (test/service-binding/consumer.js) bound to this project's
 * InboxService entrypoint, as another Worker on the account binds it with
 * `services = [{ binding = "INBOX", service = "edge-inbox", entrypoint = "InboxService" }]`.
 * The plugin renames the Worker under test per project: getRunnerName says to what.
 */
function serviceBindingProject(name: string, vars: Record<string, string>): TestProjectInlineConfiguration {
  return workersProject(name, ["test/service-binding/**/*.test.ts"], vars, [], {
    serviceBindings: { CONSUMER: "consumer" },
    workers: [
      {
        name: "consumer",
        modules: true,
        scriptPath: "./test/service-binding/consumer.js",
        compatibilityDate: "2026-11-01",
        serviceBindings: { INBOX: { name: getRunnerName({ name } as Parameters<typeof getRunnerName>[0]), entrypoint: "InboxService" } },
      },
    ],
  });
}

const DELIVERY_TESTS = ["push", "resume", "inbox", "shards", "live-path", "inbox-states", "message-admin", "batch"].map(
  (name) => `test/${name}.test.ts`,
);

export default defineConfig({
  test: {
    projects: [
      // Open mode, as the seed: short heartbeats and a small queue make drop detection quick to test.
      workersProject("worker", ["test/**/*.test.ts"], TEST_VARS, [
        "test/e2e/**",
        "test/browser/**",
        "test/secure/**",
        "test/node/**",
        "test/service-binding/**",
        "test/package/**",
      ]),
      // Delivery must not depend on how many hub objects there are: the same files with four shards.
      workersProject("shards-4", DELIVERY_TESTS, { ...TEST_VARS, HUB_SHARDS: "4" }),
      // Another Worker publishing through the service binding, with subscriber tokens on.
      serviceBindingProject("service-binding", { ...SECURE_VARS, MAX_STREAMS: "10000" }),
      // SUBSCRIBE_SECRET, ALLOWED_ORIGINS and a small MAX_STREAMS set.
      workersProject("secure", ["test/secure/**/*.test.ts"], SECURE_VARS),
      // Pure modules checked with tools that need Node (ajv compiles validators with new Function, which workerd refuses).
      { test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", ...timeouts } },
      // The npm package as a team installs it: packed, installed into a scratch project, used from there.
      {
        test: {
          name: "package",
          include: ["test/package/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/package/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // Real sockets against `wrangler dev`, from Node: what only a network shows.
      // (test/browser, which also needs Chromium, runs with `npm run test:browser`.)
      { test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], environment: "node", ...timeouts } },
    ],
  },
});

// One `wrangler dev` for the whole browser run: started before the first test
// file, stopped after the last one (or when startup fails).
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startWranglerDev } from "./wrangler-dev";

const RETRY_MS = 2000;

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    publishToken: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const publishToken = `browser-${randomBytes(12).toString("hex")}`;
  const server = await startWranglerDev({
    PUBLISH_TOKEN: publishToken,
    // One stream per uid: a second stream opened by a test replaces the page's.
    MAX_STREAMS_PER_UID: "1",
    RETRY_MS: String(RETRY_MS),
    HEARTBEAT_MS: "1000",
    // A developer's .dev.vars must not turn subscriber auth on under the test.
    SUBSCRIBE_SECRET: "",
  });
  project.provide("baseUrl", server.baseUrl);
  project.provide("publishToken", publishToken);
  return () => server.stop();
}

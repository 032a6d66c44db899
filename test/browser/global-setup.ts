// One `wrangler dev` for the whole browser run: started before the first test
// file, stopped after the last one (or when startup fails).
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { startWranglerDev } from "../support/wrangler-dev.ts";
import { browserTestVars } from "./server-vars.ts";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    publishToken: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const publishToken = `browser-${randomBytes(12).toString("hex")}`;
  const server = await startWranglerDev({ vars: browserTestVars(publishToken) });
  project.provide("baseUrl", server.baseUrl);
  project.provide("publishToken", publishToken);
  return () => server.stop();
}

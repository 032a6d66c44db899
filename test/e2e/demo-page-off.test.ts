// DEMO_PAGE=off on the real Worker under `wrangler dev`, static assets and all:
// the demo page and its files answer 404 JSON (wrangler.toml routes /demo/*
// through the Worker), while the API and the browser client stay.
import { afterAll, beforeAll, expect, it } from "vitest";
import { SECURE_VARS } from "../helpers/test-settings.ts";
import { startWranglerDev, type WranglerDev } from "../support/wrangler-dev.ts";

let server: WranglerDev;

beforeAll(async () => {
  server = await startWranglerDev({ vars: { ...SECURE_VARS, DEMO_PAGE: "off" } });
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

const get = (path: string) => fetch(`${server.baseUrl}${path}`, { redirect: "manual", signal: AbortSignal.timeout(5000) });

it("answers the demo page and each of its files with 404 JSON", async () => {
  for (const path of ["/", "/message?uid=1", "/demo/inbox.html", "/demo/inbox.js", "/demo/inbox.css", "/demo/send.js"]) {
    const response = await get(path);
    expect(response.status, path).toBe(404);
    expect(await response.json(), path).toEqual({ code: 404, error: "the demo page is off on this deployment (DEMO_PAGE=off)" });
  }
});

it("still serves the API document and the browser client", async () => {
  expect((await get("/openapi.json")).status).toBe(200);
  const client = await get("/client.js");
  expect(client.status).toBe(200);
  expect(client.headers.get("content-type")).toMatch(/javascript/);
});

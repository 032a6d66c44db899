import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../src/app";
import { AUTH } from "./helpers/publish";
import { BASE, fetchWorker } from "./helpers/sse-client";

// The page's behaviour is tested in Chromium (test/browser/); here, that the Worker serves it.
describe("GET /message", () => {
  it("serves the demo inbox page from the bundled static files", async () => {
    const response = await fetchWorker("/message?uid=1");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/demo/inbox.js"></script>');
    expect(html).toContain('id="messages"');
  });

  it("serves the page's own files through the Worker", async () => {
    const response = await fetchWorker("/demo/inbox.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
  });

  it("sends / to the demo page for uid 1", async () => {
    const response = await fetchWorker("/", { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/message?uid=1");
  });

  it("refuses other methods with 405 and Allow", async () => {
    const response = await fetchWorker("/message", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET");
    expect(await response.json()).toEqual({ code: 405, error: "POST is not allowed on /message; use GET" });
  });
});

describe("DEMO_PAGE=off", () => {
  const withDemoOff = (path: string, init?: RequestInit) =>
    app.fetch(new Request(new URL(path, BASE), init), { ...env, DEMO_PAGE: "off" }, createExecutionContext());

  it("answers /, /message and the page's files with a 404 JSON error", async () => {
    for (const path of ["/", "/message?uid=1", "/message", "/demo/inbox.html", "/demo/inbox.js"]) {
      const response = await withDemoOff(path, { redirect: "manual" });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ code: 404, error: "the demo page is off on this deployment (DEMO_PAGE=off)" });
    }
  });

  it("leaves the API alone", async () => {
    const response = await withDemoOff("/stats", { headers: AUTH });
    expect(response.status).toBe(200);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { AUTH, postJson, sleep } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

interface Case {
  readonly name: string;
  readonly request: () => Promise<Response>;
  readonly status: number;
  readonly error: RegExp;
}

const post = (path: string, body: string, headers: Record<string, string>) => fetchWorker(path, { method: "POST", headers, body });
const json = { "Content-Type": "application/json", ...AUTH };

// Each bad publish names the uid the test watches, so a leak would show on its stream.
const badPublishes = (uid: string): Case[] => [
  { name: "malformed JSON", request: () => post("/update", `{"uid":"${uid}","msg":`, json), status: 400, error: /not valid JSON/ },
  { name: "a JSON array", request: () => post("/update", `[{"uid":"${uid}","msg":1}]`, json), status: 400, error: /JSON object/ },
  {
    name: "text/plain",
    request: () => post("/update", JSON.stringify({ uid, msg: 1 }), { ...AUTH, "Content-Type": "text/plain" }),
    status: 415,
    error: /application\/json/,
  },
  { name: "no msg", request: () => postJson("/update", { uid }), status: 400, error: /msg is required/ },
  { name: "no recipients", request: () => postJson("/update", { msg: 1 }), status: 400, error: /recipients/ },
  { name: "isAll false alone", request: () => postJson("/update", { isAll: false, msg: 1 }), status: 400, error: /recipients/ },
  { name: "empty uid", request: () => postJson("/update", { uid: "", msg: 1 }), status: 400, error: /uid must be 1 to 128/ },
  {
    name: "uid too long",
    request: () => postJson("/update", { uid: "u".repeat(129), msg: 1 }),
    status: 400,
    error: /uid must be 1 to 128/,
  },
  { name: "uid with CRLF", request: () => postJson("/update", { uid: `${uid}\r\n`, msg: 1 }), status: 400, error: /control characters/ },
  { name: "uid an object", request: () => postJson("/update", { uid: { id: uid }, msg: 1 }), status: 400, error: /uid must be a string/ },
  { name: "a bad uid among uids", request: () => postJson("/update", { uids: [uid, "\u0000"], msg: 1 }), status: 400, error: /uids\[1\]/ },
  {
    name: "event with a line break",
    request: () => postJson("/update", { uid, event: "x\nevent: y", msg: 1 }),
    status: 400,
    error: /event must match/,
  },
  { name: "reserved event", request: () => postJson("/update", { uid, event: "unread", msg: 1 }), status: 400, error: /reserved/ },
  { name: "isAll a string", request: () => postJson("/update", { uid, isAll: "true", msg: 1 }), status: 400, error: /isAll/ },
  { name: "unknown field", request: () => postJson("/update", { uid, msg: 1, isall: true }), status: 400, error: /unknown field "isall"/ },
  {
    name: "a body over MAX_BODY_BYTES",
    request: () => postJson("/update", { uid, msg: "x".repeat(70_000) }),
    status: 413,
    error: /MAX_BODY_BYTES/,
  },
  {
    name: "no token",
    request: () => post("/update", JSON.stringify({ uid, msg: 1 }), { "Content-Type": "application/json" }),
    status: 401,
    error: /Bearer/,
  },
  {
    name: "a wrong token",
    request: () => post("/update", JSON.stringify({ uid, msg: 1 }), { "Content-Type": "application/json", Authorization: "Bearer nope" }),
    status: 401,
    error: /wrong/,
  },
];

describe("bad input", () => {
  it("gets its status and a JSON error, and reaches no stream", async () => {
    const uid = freshUid("victim");
    const stream = await openStream(uid);
    const opening = stream.raw;
    for (const c of badPublishes(uid)) {
      const response = await c.request();
      const body = (await response.json()) as { code: number; error: string };
      expect({ case: c.name, status: response.status }).toEqual({ case: c.name, status: c.status });
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      expect(body.code, c.name).toBe(c.status);
      expect(body.error, c.name).toMatch(c.error);
    }
    await sleep(100);
    // Only heartbeats may have arrived since the opening.
    expect(stream.raw.slice(opening.length).replaceAll(": ping\n\n", "")).toBe("");
    const inbox = (await (await fetchWorker(`/inbox?uid=${uid}&limit=100`)).json()) as { messages: { msg: unknown }[] };
    const leaked = inbox.messages.filter((m) => m.msg === 1 || (typeof m.msg === "string" && m.msg.startsWith("xxx")));
    expect(leaked).toEqual([]);
  });

  it("answers an unknown route with 404 JSON", async () => {
    const response = await fetchWorker("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 404, error: expect.stringContaining("/nope") });
  });

  it.each([
    ["POST", "/push"],
    ["GET", "/update"],
    ["DELETE", "/inbox"],
    ["PUT", "/message"],
  ])("answers %s %s with 405 JSON and Allow", async (method, path) => {
    const response = await fetchWorker(path, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toMatch(/^(GET|POST)$/);
    expect(await response.json()).toEqual({ code: 405, error: expect.stringContaining(method) });
  });

  it("refuses /push without a valid uid", async () => {
    for (const query of ["", "?uid=", `?uid=${"u".repeat(129)}`, "?uid=a%0Ab"]) {
      const response = await fetchWorker(`/push${query}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/uid/);
    }
  });

  it("refuses minting subscriber tokens with 503 when SUBSCRIBE_SECRET is not configured, saying where to set it", async () => {
    const response = await postJson("/token", { uid: "1" });
    expect(response.status).toBe(503);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/wrangler secret put SUBSCRIBE_SECRET/);
    expect(error).toMatch(/\.dev\.vars and restart/);
  });

  it("refuses publishing with 503 when PUBLISH_TOKEN is not configured", async () => {
    const { app } = await import("../src/app");
    const { env } = await import("cloudflare:workers");
    const response = await app.fetch(
      new Request("https://inbox.test/update", { method: "POST", headers: json, body: '{"isAll":true,"msg":1}' }),
      { ...env, PUBLISH_TOKEN: "" },
    );
    expect(response.status).toBe(503);
    const { error } = (await response.json()) as { error: string };
    expect(error).toMatch(/wrangler secret put PUBLISH_TOKEN/);
    expect(error).toMatch(/\.dev\.vars and restart/);
  });
});

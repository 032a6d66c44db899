// A hub that fails must never cost a browser its stream: /push answers a
// `busy` stream (200) that EventSource retries by itself. Permanent refusals
// keep their status. (How the Worker treats errors thrown through a stub is
// test/hub-calls.test.ts.)
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, it, vi } from "vitest";
import { hubFor } from "../src/hub/shards";
import type { BusyNotice } from "../src/messages";
import { readSettings } from "../src/settings";
import { closeAllStreams, fetchWorker, openStream, SseClient } from "./helpers/sse-client";
import { TEST_VARS } from "./helpers/test-settings";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

const RETRY_MS = Number(TEST_VARS.RETRY_MS);

/** A real failure inside the hub: its storage loses a table every connect reads. */
async function breakHub(uid: string): Promise<DurableObjectStub> {
  const stub = hubFor(env.PUSH_HUB, uid, readSettings(env).hubShards);
  await runInDurableObject(stub, (_hub, state) => state.storage.sql.exec("DROP TABLE inbox_cursors"));
  return stub;
}

it("answers a connect that throws in the hub with a 200 busy stream that ends, then serves once the hub is back", async () => {
  const uid = freshUid("broken");
  const stub = await breakHub(uid);
  const logged = vi.spyOn(console, "error").mockImplementation(() => {});

  const response = await fetchWorker(`/push?uid=${uid}`);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  const busy = new SseClient(response);
  await busy.untilEnded();
  expect(busy.raw).toMatch(/^retry: [0-9]+\nevent: busy\ndata: \{.*\}\n\n$/);
  const notice = JSON.parse(busy.named("busy")[0]!.data) as BusyNotice;
  expect(notice.reason).toBe("error");
  expect(notice.error).toMatch(/failed to open the stream/);
  expect(Number(/^retry: ([0-9]+)/.exec(busy.raw)![1])).toBe(notice.retryMs);
  expect(notice.retryMs).toBeGreaterThanOrEqual(RETRY_MS);
  expect(notice.retryMs).toBeLessThanOrEqual(2 * RETRY_MS);
  // No id: the browser's resume point does not move.
  expect(busy.events.every((event) => event.id === undefined)).toBe(true);
  // One line for the operator, without a stack.
  expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^connect failed: no such table/));
  logged.mockRestore();

  // A restarted hub recreates its tables: the browser's retry goes live.
  await evictDurableObject(stub);
  const live = await openStream(uid);
  expect(live.named("busy")).toEqual([]);
});

it("keeps permanent refusals as JSON errors with their status", async () => {
  for (const [path, status] of [
    ["/push?uid=", 400],
    ["/push", 400],
  ] as const) {
    const response = await fetchWorker(path);
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as { code: number }).code).toBe(status);
  }
  const wrongMethod = await fetchWorker("/push?uid=1", { method: "DELETE" });
  expect(wrongMethod.status).toBe(405);
});

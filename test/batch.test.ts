// POST /update {messages: [...]}: one call, each message stored and fanned out
// as if sent alone, answered in order; a bad entry or a key conflict refuses
// the whole batch and stores nothing. With one shard and with four.
import { afterEach, describe, expect, it } from "vitest";
import type { BatchResult, PublishResult } from "../src/messages";
import { getInbox, listed } from "./helpers/inbox";
import { AUTH, idFor, postJson } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "./helpers/sse-client";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

async function publishBatch(messages: unknown[]): Promise<BatchResult> {
  const response = await postJson("/update", { messages });
  const answer = await response.json();
  if (response.status !== 200) throw new Error(`POST /update answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer as BatchResult;
}

/** The uid's own messages: broadcasts (this file publishes one) are everyone's. */
const ownRows = async (uid: string) => (await getInbox(uid, { limit: "100" })).messages.filter((m) => !m.broadcast).map((m) => m.id);

const asResult = (result: BatchResult["results"][number]): PublishResult => ({ code: 0, ...result });

describe("batch publish", () => {
  it("stores and delivers each message as if sent alone, and answers each in order", async () => {
    const [alice, bob, carol] = [freshUid("alice"), freshUid("bob"), freshUid("carol")];
    const [aliceTab, bobTab] = [await openStream(alice), await openStream(bob)];
    const aliceStart = aliceTab.counts()[0]!;
    const answer = await publishBatch([
      { uid: alice, msg: "one", event: "like" },
      { uids: [alice, bob, carol], msg: "two", tags: ["social"] },
      { isAll: true, msg: "three" },
      { uid: carol, msg: "four", key: freshUid("k") },
    ]);
    expect(answer.code).toBe(0);
    expect(answer.results.map((r) => r.delivered)).toEqual([1, 2, expect.any(Number), 0]);
    expect(answer.results[2]!.delivered).toBeGreaterThanOrEqual(2);
    expect(answer.results[3]!.key).toEqual(expect.any(String));

    const ids = (uid: string, which: number[]) => which.map((i) => idFor(asResult(answer.results[i]!), uid));
    await aliceTab.untilMessages(3);
    expect(aliceTab.messages().map((m) => [m.id, m.msg])).toEqual([
      [ids(alice, [0])[0], "one"],
      [ids(alice, [1])[0], "two"],
      [ids(alice, [2])[0], "three"],
    ]);
    expect(aliceTab.named("like")).toHaveLength(1);
    // Each message is followed by its own count, as when sent alone.
    expect(aliceTab.unreadCounts().slice(-3)).toEqual([1, 2, 3].map((n) => aliceStart.unread + n));
    await bobTab.untilMessages(2);
    expect(bobTab.messages().map((m) => m.msg)).toEqual(["two", "three"]);
    expect(await listed(carol)).toEqual(expect.arrayContaining(ids(carol, [3, 1])));
  });

  it("answers a repeated batch of keyed messages with the first answers, delivering nothing twice", async () => {
    const uid = freshUid("again");
    const tab = await openStream(uid);
    const messages = [1, 2, 3].map((n) => ({ uid, msg: n, key: freshUid(`k${n}`) }));
    const first = await publishBatch(messages);
    expect(await publishBatch(messages)).toEqual(first);
    await tab.untilMessages(3);
    expect(tab.messages().map((m) => m.msg)).toEqual([1, 2, 3]);
    expect(await ownRows(uid)).toHaveLength(3);
  });

  it("refuses a batch with a bad entry, naming it, and stores none of it", async () => {
    const uid = freshUid("bad");
    const tab = await openStream(uid);
    const response = await postJson("/update", {
      messages: [
        { uid, msg: "fine" },
        { uid, msg: "fine too" },
        { uid: [uid], msg: "not a uid" },
      ],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 400, error: "messages[2].uid must be a string" });
    expect(await ownRows(uid)).toEqual([]);
    expect(tab.messages()).toEqual([]);
  });

  it("refuses a batch whose key was used for another request, naming it, and stores none of it", async () => {
    const uid = freshUid("conflict");
    const key = freshUid("used");
    await postJson("/update", { uid, msg: "the first", key });
    const before = await ownRows(uid);
    const response = await postJson("/update", {
      messages: [
        { uid, msg: "new" },
        { uid, msg: "not the first", key },
      ],
    });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ code: 409, error: expect.stringMatching(/^messages\[1\]\.key ".*" was used/) });
    expect(await ownRows(uid)).toEqual(before);
  });

  it("refuses what a batch cannot be", async () => {
    const uid = freshUid("shape");
    const cases: Array<[unknown, Record<string, string>, RegExp]> = [
      [{ messages: [] }, {}, /messages must be an array of 1 to 500/],
      [{ messages: Array.from({ length: 501 }, () => ({ uid, msg: 1 })) }, {}, /messages must be an array of 1 to 500/],
      [{ messages: { uid, msg: 1 } }, {}, /messages must be an array/],
      [{ messages: [{ uid, msg: 1 }], uid }, {}, /unknown field "uid"; allowed: messages/],
      [
        {
          messages: [
            { uid, msg: 1, key: "a" },
            { uid, msg: 2, key: "a" },
          ],
        },
        {},
        /messages\[1\]\.key repeats messages\[0\]\.key/,
      ],
      [{ messages: [{ uid, msg: 1 }] }, { "Idempotency-Key": "k" }, /each message its own key/],
    ];
    for (const [body, headers, error] of cases) {
      const response = await fetchWorker("/update", {
        method: "POST",
        headers: { ...AUTH, "Content-Type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      expect(response.status, String(error)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(error);
    }
    expect(await ownRows(uid)).toEqual([]);
  });
});

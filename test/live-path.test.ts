// What keeps a browser's live stream alive across restarts: a resume point
// from the first bytes, and reconnects spread out in time.
import { abortAllDurableObjects } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { idFor, publish } from "./helpers/publish";
import { closeAllStreams, openHubStream, openStream } from "./helpers/sse-client";
import { TEST_VARS } from "./helpers/test-settings";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

const RETRY_MS = Number(TEST_VARS.RETRY_MS);

describe("a resume point from the first byte", () => {
  it("gives the opening unread event the hub's head as its id", async () => {
    const uid = freshUid("head");
    const latest = await publish({ isAll: true, msg: "moves the head" });
    const stream = await openStream(uid);
    const opening = stream.named("unread")[0]!;
    expect(opening.id).toMatch(/^[0-9]+$/);
    expect(Number(opening.id)).toBeGreaterThanOrEqual(Number(idFor(latest, uid)));
    // Live counts that follow a message carry no id: only the message moves the resume point.
    await publish({ uid, msg: "one" });
    await stream.until(() => stream.named("unread").length === 2, "the live unread count");
    expect(stream.named("unread")[1]!.id).toBeUndefined();
  });

  it("lets a stream that has seen no message resume after a restart with nothing lost", async () => {
    const uid = freshUid("quiet");
    const stream = await openHubStream(uid);
    const resumePoint = stream.named("unread")[0]!.id!;
    expect(stream.messages()).toEqual([]);

    await abortAllDurableObjects();
    await stream.untilEnded();
    // Published while the browser waits out its retry delay.
    const missed = [await publish({ uid, msg: "while reconnecting" }), await publish({ isAll: true, msg: "everyone" })];

    const resumed = await openStream(uid, { lastEventId: resumePoint });
    expect(resumed.messages().map((m) => m.id)).toEqual(missed.map((answer) => idFor(answer, uid)));
    expect(resumed.named("reset")).toEqual([]);
  });
});

describe("reconnects spread out", () => {
  it("draws each stream's retry from [RETRY_MS, 2 × RETRY_MS]", async () => {
    const streams = await Promise.all(Array.from({ length: 40 }, () => openStream(freshUid("spread"))));
    const retries = streams.map((stream) => Number(/^retry: ([0-9]+)\n/.exec(stream.raw)![1]));
    for (const retry of retries) {
      expect(retry).toBeGreaterThanOrEqual(RETRY_MS);
      expect(retry).toBeLessThanOrEqual(2 * RETRY_MS);
    }
    // Forty uniform draws from 3,001 values: all but certain to be this spread.
    expect(new Set(retries).size).toBeGreaterThanOrEqual(35);
    expect(Math.max(...retries) - Math.min(...retries)).toBeGreaterThan(RETRY_MS / 2);
  });
});

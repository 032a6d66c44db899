import { afterEach, expect, it } from "vitest";
import type { BusyNotice } from "../../src/messages";
import { publish } from "../helpers/publish";
import { closeAllStreams, fetchWorker, openStream, SseClient } from "../helpers/sse-client";
import { TEST_MAX_STREAMS, TEST_MAX_STREAMS_PER_UID, TEST_VARS } from "../helpers/test-settings";
import { tokenFor } from "../helpers/tokens";
import { freshUid } from "../helpers/uids";

afterEach(closeAllStreams);

const open = async (uid: string) => openStream(uid, { query: { token: await tokenFor(uid) } });

/** The `busy` notice of a refused connect: 200, a retry, the event, then the end. */
async function refusedNotice(uid: string): Promise<BusyNotice> {
  const response = await fetchWorker(`/push?uid=${uid}&token=${await tokenFor(uid)}`);
  expect(response.status).toBe(200);
  const refused = new SseClient(response);
  await refused.untilEnded();
  expect(refused.raw).toMatch(/^retry: [0-9]+\nevent: busy\n/);
  expect(refused.named("unread")).toEqual([]);
  return JSON.parse(refused.named("busy")[0]!.data) as BusyNotice;
}

it("answers busy (200) past MAX_STREAMS, still lets a uid replace its oldest tab, and admits again once one leaves", async () => {
  const full = freshUid("full");
  const streams: SseClient[] = [];
  for (let i = 0; i < TEST_MAX_STREAMS_PER_UID; i++) streams.push(await open(full));
  const filler = freshUid("filler");
  while (streams.length < TEST_MAX_STREAMS - 1) streams.push(await open(freshUid("other")));
  streams.push(await open(filler));

  const late = freshUid("late");
  const first = await refusedNotice(late);
  expect(first).toMatchObject({ reason: "full", error: expect.stringMatching(/MAX_STREAMS/) });
  expect(first.retryMs).toBeGreaterThanOrEqual(Number(TEST_VARS.RETRY_MS));

  // The more browsers are turned away, the longer each is told to wait.
  let notice = first;
  for (let i = 0; i < 20; i++) notice = await refusedNotice(freshUid("crowd"));
  expect(notice.retryMs).toBeGreaterThan(first.retryMs);

  // A uid below its tab limit would add a stream: refused too.
  expect((await refusedNotice(filler)).reason).toBe("full");

  // A uid at its tab limit trades its oldest tab for the new one: the total stays.
  const replacing = await open(full);
  await streams[0]!.untilEnded();
  expect((await publish({ uid: full, msg: "still served" })).delivered).toBe(TEST_MAX_STREAMS_PER_UID);
  expect(replacing.ended).toBe(false);

  await streams.at(-1)!.close();
  // The hub hears of the cancel at once, or at the next heartbeat at the latest.
  let admitted: SseClient | undefined;
  for (let attempt = 0; attempt < 20 && admitted === undefined; attempt++) {
    const client = new SseClient(await fetchWorker(`/push?uid=${late}&token=${await tokenFor(late)}`));
    await client.until(() => client.events.length > 0, "the first event");
    if (client.named("busy").length === 0) admitted = client;
    else await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(admitted).toBeDefined();
});

import { afterEach, expect, it } from "vitest";
import { publish } from "../helpers/publish";
import { closeAllStreams, fetchWorker, openStream, SseClient } from "../helpers/sse-client";
import { TEST_MAX_STREAMS, TEST_MAX_STREAMS_PER_UID } from "../helpers/test-settings";
import { tokenFor } from "../helpers/tokens";
import { freshUid } from "../helpers/uids";

afterEach(closeAllStreams);

const open = async (uid: string) => openStream(uid, { query: { token: await tokenFor(uid) } });

it("answers 503 with Retry-After past MAX_STREAMS, still lets a uid replace its oldest tab, and admits again once one leaves", async () => {
  const full = freshUid("full");
  const streams: SseClient[] = [];
  for (let i = 0; i < TEST_MAX_STREAMS_PER_UID; i++) streams.push(await open(full));
  const filler = freshUid("filler");
  while (streams.length < TEST_MAX_STREAMS - 1) streams.push(await open(freshUid("other")));
  streams.push(await open(filler));

  const late = freshUid("late");
  const refused = await fetchWorker(`/push?uid=${late}&token=${await tokenFor(late)}`);
  expect(refused.status).toBe(503);
  expect(refused.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
  expect(((await refused.json()) as { code: number; error: string }).error).toMatch(/MAX_STREAMS/);

  // A uid below its tab limit would add a stream: refused too.
  const secondTab = await fetchWorker(`/push?uid=${filler}&token=${await tokenFor(filler)}`);
  expect(secondTab.status).toBe(503);
  await secondTab.body?.cancel();

  // A uid at its tab limit trades its oldest tab for the new one: the total stays.
  const replacing = await open(full);
  await streams[0]!.untilEnded();
  expect((await publish({ uid: full, msg: "still served" })).delivered).toBe(TEST_MAX_STREAMS_PER_UID);
  expect(replacing.ended).toBe(false);

  await streams.at(-1)!.close();
  // The hub hears of the cancel at once, or at the next heartbeat at the latest.
  let admitted: SseClient | undefined;
  for (let attempt = 0; attempt < 20 && admitted === undefined; attempt++) {
    const response = await fetchWorker(`/push?uid=${late}&token=${await tokenFor(late)}`);
    if (response.status === 200) admitted = new SseClient(response);
    else await response.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(admitted).toBeDefined();
});

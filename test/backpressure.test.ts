import { afterEach, expect, it } from "vitest";
import { AUTH, publish } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "./helpers/sse-client";
import { TEST_MAX_QUEUE_BYTES } from "./helpers/test-settings";
import { freshUid } from "./helpers/uids";

afterEach(closeAllStreams);

it("cuts a reader that never reads once its queue passes MAX_QUEUE_BYTES, and the others keep receiving", async () => {
  const uid = freshUid("slow");
  const stuck = await fetchWorker(`/push?uid=${uid}`);
  expect(stuck.status).toBe(200);
  const reader = await openStream(uid);
  const payload = "x".repeat(8000);
  const answers: { id: string; delivered: number }[] = [];
  try {
    // Bounded: far more than the queue limit, in case buffers along the way absorb some.
    const limit = Math.ceil((TEST_MAX_QUEUE_BYTES * 8) / payload.length);
    for (let i = 0; i < limit && answers.at(-1)?.delivered !== 1; i++) {
      answers.push(await publish({ uid, msg: payload }));
    }
  } finally {
    await stuck.body?.cancel().catch(() => {});
  }
  expect(answers[0]?.delivered).toBe(2);
  expect(answers.at(-1)?.delivered).toBe(1);
  await reader.untilMessages(answers.length);
  expect(reader.messages().map((m) => m.id)).toEqual(answers.map((a) => a.id));
  const stats = (await (await fetchWorker("/stats", { headers: AUTH })).json()) as { dropped: { slow: number } };
  expect(stats.dropped.slow).toBeGreaterThanOrEqual(1);
});

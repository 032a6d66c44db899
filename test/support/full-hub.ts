// Streams held open from Node, to fill a hub to MAX_STREAMS so a test can
// watch a real EventSource be turned away (busy) and come back once room is made.
export interface HeldStream {
  close(): Promise<void>;
}

/** Open `GET /push?uid=`, insist it was admitted, and keep draining it until closed. */
export async function holdStream(baseUrl: string, uid: string): Promise<HeldStream> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/push?uid=${encodeURIComponent(uid)}`, { signal: controller.signal });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let opening = "";
  while (!opening.includes("event: unread") && !opening.includes("event: busy")) {
    const { done, value } = await reader.read();
    if (done) break;
    opening += decoder.decode(value, { stream: true });
  }
  if (response.status !== 200 || !opening.includes("event: unread")) {
    controller.abort();
    throw new Error(`the hub did not admit a stream for ${uid}: ${response.status} ${opening}`);
  }
  const drained = (async () => {
    try {
      while (!(await reader.read()).done);
    } catch {
      // Aborted by close().
    }
  })();
  return {
    async close() {
      controller.abort();
      await drained;
    },
  };
}

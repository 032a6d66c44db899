// Baseline, the workerd floor: the least any Worker + Durable Object can do
// for the bench's traffic on the same runtime as the hub. The Worker makes
// the hops the hub's Worker makes (`/push` passed to one object as a request,
// `/update` as an RPC call with the parsed body); the object keeps each
// stream's controller by uid and enqueues one preformatted chunk per publish.
// No storage, no validation, no ids, no heartbeat, no per-stream work.
import { DurableObject } from "cloudflare:workers";

const encoder = new TextEncoder();
const GREETING = encoder.encode("data: 站内信链接成功！\n\n");
const SSE_HEADERS = { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" };

export class FloorHub extends DurableObject {
  /** uid → the controller of its stream (one per uid, as in bare-node.mjs). */
  streams = new Map();

  fetch(request) {
    return this.subscribe(new URL(request.url).searchParams.get("uid"));
  }

  subscribe(uid) {
    let own;
    const body = new ReadableStream({
      start: (controller) => {
        own = controller;
        controller.enqueue(GREETING);
        this.streams.set(uid, controller);
      },
      cancel: () => {
        if (this.streams.get(uid) === own) this.streams.delete(uid);
      },
    });
    return new Response(body, { headers: SSE_HEADERS });
  }

  publish({ uid, msg, isAll }) {
    const chunk = encoder.encode(`data: ${JSON.stringify(msg)}\n\n`);
    if (isAll) for (const [to, controller] of this.streams) this.enqueue(to, controller, chunk);
    else {
      const controller = this.streams.get(String(uid));
      if (controller !== undefined) this.enqueue(String(uid), controller, chunk);
    }
    return { code: 0 };
  }

  /** A closed stream throws: it is forgotten, and nobody else is touched. */
  enqueue(uid, controller, chunk) {
    try {
      controller.enqueue(chunk);
    } catch {
      this.streams.delete(uid);
    }
  }
}

export default {
  async fetch(request, env) {
    const hub = env.FLOOR_HUB.get(env.FLOOR_HUB.idFromName("floor"));
    const { pathname } = new URL(request.url);
    if (pathname === "/push") return hub.fetch(request);
    if (pathname === "/update" && request.method === "POST") return Response.json(await hub.publish(await request.json()));
    return new Response(null, { status: 404 });
  },
};

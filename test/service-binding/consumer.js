// A second Worker, written as another app on the same account would write it:
// no publisher token, no HTTP call to edge-inbox, only RPC through its service
// binding INBOX (edge-inbox's InboxService entrypoint). The tests drive it
// over HTTP; it answers with whatever the binding answered.
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : undefined;
    if (pathname === "/notify") return Response.json(await env.INBOX.publish(body));
    if (pathname === "/notify-many") return Response.json(await env.INBOX.publishBatch(body));
    if (pathname === "/token") return Response.json(await env.INBOX.signSubscriberToken(body.uid, body.ttl));
    if (pathname === "/stats") return Response.json(await env.INBOX.stats());
    return new Response("no such route", { status: 404 });
  },
};

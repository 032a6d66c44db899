// How the Worker hands a verified subscription to the hub: an internal
// request whose fields were all checked by the Worker first.

export interface Subscription {
  readonly uid: string;
  /** The client's resume point: absent for a fresh stream, "" when it was not a valid id. */
  readonly lastEventId: string | undefined;
  /** Unix ms when the subscriber's token expires, or null without subscriber auth. */
  readonly expiresAt: number | null;
}

const HUB_ORIGIN = "https://push-hub.internal";

export function toHubRequest(subscription: Subscription): Request {
  const url = new URL("/push", HUB_ORIGIN);
  url.searchParams.set("uid", subscription.uid);
  if (subscription.lastEventId !== undefined) url.searchParams.set("lastEventId", subscription.lastEventId);
  if (subscription.expiresAt !== null) url.searchParams.set("expiresAt", String(subscription.expiresAt));
  return new Request(url);
}

export function fromHubRequest(request: Request): Subscription {
  const params = new URL(request.url).searchParams;
  const expiresAt = params.get("expiresAt");
  return {
    uid: params.get("uid") ?? "",
    lastEventId: params.get("lastEventId") ?? undefined,
    expiresAt: expiresAt === null ? null : Number(expiresAt),
  };
}

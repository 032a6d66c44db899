// How the Worker hands a verified subscription to the hub: an internal
// request whose fields were all parsed and checked by the Worker first. The
// hub reads them back as they were written; it never parses client input.

/** Where a reconnecting client left off: a message id, or "unknown" for a value that is not one (it gets a `reset`). */
export type ResumePoint = number | "unknown";

export interface Subscription {
  readonly uid: string;
  /** The client's resume point; undefined for a fresh stream. */
  readonly resumeFrom: ResumePoint | undefined;
  /** Unix ms when the subscriber's token expires, or null without subscriber auth. */
  readonly expiresAt: number | null;
}

const HUB_ORIGIN = "https://push-hub.internal";

export function toHubRequest(subscription: Subscription): Request {
  const url = new URL("/push", HUB_ORIGIN);
  url.searchParams.set("uid", subscription.uid);
  if (subscription.resumeFrom !== undefined) url.searchParams.set("resumeFrom", String(subscription.resumeFrom));
  if (subscription.expiresAt !== null) url.searchParams.set("expiresAt", String(subscription.expiresAt));
  return new Request(url);
}

export function fromHubRequest(request: Request): Subscription {
  const params = new URL(request.url).searchParams;
  const resumeFrom = params.get("resumeFrom");
  const expiresAt = params.get("expiresAt");
  return {
    uid: params.get("uid") ?? "",
    resumeFrom: resumeFrom === null ? undefined : resumeFrom === "unknown" ? "unknown" : Number(resumeFrom),
    expiresAt: expiresAt === null ? null : Number(expiresAt),
  };
}

// Where the client finds the Worker: one function builds every URL, so the
// subscriber token travels the same way on /push, /inbox and /inbox/read.

/** Which inbox the client speaks for. */
export interface InboxTarget {
  /** The Worker's base URL, e.g. "https://inbox.example.com" or `location.origin`. */
  readonly url: string;
  readonly uid: string;
  /** Subscriber token; sent as `?token=` because EventSource cannot send headers. */
  readonly token?: string;
}

export function endpoint(target: InboxTarget, path: string, query: Record<string, string | undefined> = {}): string {
  const url = new URL(path, target.url);
  url.searchParams.set("uid", target.uid);
  if (target.token !== undefined && target.token !== "") url.searchParams.set("token", target.token);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}

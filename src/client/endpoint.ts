// Where the client finds the Worker and how it proves who it listens for:
// one function builds every URL and one the headers, so /push, /inbox and
// /inbox/read all send the subscriber token the same way, never in a URL.
import type { GetToken } from "./token-source";

/** A fetch the client can call: the global one, or e.g. a Worker's service binding. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** Which inbox the client speaks for. */
export interface InboxTarget {
  /** The Worker's base URL, e.g. "https://inbox.example.com" or `location.origin`. */
  readonly url: string;
  readonly uid: string;
  /** Subscriber token, sent as `Authorization: Bearer`; used first when getToken is given too. */
  readonly token?: string;
  /** Gives a subscriber token: called when there is none, after a 401, and shortly before the token in use expires. */
  readonly getToken?: GetToken;
  /** Default: the global fetch. In a Worker, a service binding: `(input, init) => env.INBOX.fetch(input, init)`. */
  readonly fetch?: Fetch;
}

export function endpoint(target: InboxTarget, path: string, query: Record<string, string | undefined> = {}): string {
  const url = new URL(path, target.url);
  url.searchParams.set("uid", target.uid);
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.toString();
}

export function requestHeaders(token: string | undefined, headers: Record<string, string>): Record<string, string> {
  return token === undefined ? headers : { ...headers, Authorization: `Bearer ${token}` };
}

/** The target's fetch, or the global one looked up at call time. */
export const fetcherOf = (target: InboxTarget): Fetch => target.fetch ?? ((input, init) => fetch(input, init));

// The subscriber token in use: the one given, else getToken()'s; renewed by
// getToken() after a 401 and shortly before it expires. The stream and the
// inbox calls of one app share a TokenSource (one per getToken function), so
// they renew once and send the same token.

export type GetToken = () => string | Promise<string>;

/** Renew this long before expiry at most (long tokens)… */
const MAX_RENEW_MARGIN_MS = 60_000;
/** …and at least this long before it, or a fifth of the token's life when that is more. */
const MIN_RENEW_MARGIN_MS = 1000;

const shared = new WeakMap<GetToken, TokenSource>();

/** The TokenSource for a target: shared per getToken function; undefined when there is no token at all. */
export function tokenSourceFor(target: { readonly token?: string; readonly getToken?: GetToken }): TokenSource | undefined {
  const { token, getToken } = target;
  if (getToken === undefined) return token === undefined || token === "" ? undefined : new TokenSource(token, undefined);
  let source = shared.get(getToken);
  if (source === undefined) {
    source = new TokenSource(token, getToken);
    shared.set(getToken, source);
  }
  return source;
}

export class TokenSource {
  private token: string | undefined;
  private receivedAt = Date.now();
  private renewing: Promise<string> | undefined;

  constructor(
    initial: string | undefined,
    private readonly getToken: GetToken | undefined,
  ) {
    this.token = initial === "" ? undefined : initial;
  }

  get renewable(): boolean {
    return this.getToken !== undefined;
  }

  /** The token to send now; a new one first when there is none yet or it is about to expire. */
  async current(now = Date.now()): Promise<string | undefined> {
    if (this.token === undefined || (this.renewInMs(now) ?? 1) <= 0) return this.renew();
    return this.token;
  }

  /** A new token from getToken(); calls made while one is on its way share it. */
  renew(): Promise<string> {
    const getToken = this.getToken;
    if (getToken === undefined) return Promise.reject(new TypeError("no getToken() to renew the subscriber token with"));
    this.renewing ??= (async () => {
      try {
        const token = await getToken();
        if (typeof token !== "string" || token === "")
          throw new TypeError("getToken() must return the subscriber token as a non-empty string");
        this.token = token;
        this.receivedAt = Date.now();
        return token;
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /**
   * How long until the token should be renewed: a margin before its expiry
   * (a fifth of its life, within 1–60 s), never before half its life has
   * passed. Undefined when it cannot be renewed or its expiry is unknown.
   */
  renewInMs(now = Date.now()): number | undefined {
    if (this.getToken === undefined || this.token === undefined) return undefined;
    const expiresAt = tokenExpiresAt(this.token);
    if (expiresAt === undefined) return undefined;
    const lifeMs = expiresAt - this.receivedAt;
    const marginMs = Math.min(MAX_RENEW_MARGIN_MS, Math.max(MIN_RENEW_MARGIN_MS, lifeMs / 5));
    return Math.max(this.receivedAt + lifeMs / 2, expiresAt - marginMs) - now;
  }
}

/** When an edge-inbox token (base64url(uid) "." exp "." signature) expires, in ms; undefined for any other shape. */
export function tokenExpiresAt(token: string): number | undefined {
  const match = /^[A-Za-z0-9_-]+\.([1-9][0-9]{0,11})\.[A-Za-z0-9_-]+$/.exec(token);
  return match === null ? undefined : Number(match[1]) * 1000;
}

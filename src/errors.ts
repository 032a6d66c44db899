// One error shape for every non-2xx answer: {"code": <non-zero>, "error": "..."}.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** `code` mirrors the HTTP status, so clients can switch on either. */
export function errorResponse(status: number, error: string, headers: Record<string, string> = {}): Response {
  return Response.json({ code: status, error }, { status, headers });
}

export const badRequest = (message: string) => new HttpError(400, message);

/** Where a missing secret goes on `wrangler dev`, which reads it only at start. */
export const LOCAL_HINT = "locally: put it in .dev.vars and restart npm run dev";
export const NO_SUBSCRIBE_SECRET = `subscriber tokens need SUBSCRIBE_SECRET: wrangler secret put SUBSCRIBE_SECRET (${LOCAL_HINT})`;

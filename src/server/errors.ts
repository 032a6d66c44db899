// What a publisher call throws once it gives up.

export class PublisherError extends Error {
  constructor(
    message: string,
    /** The HTTP status of the last answer, or null when the Worker was never reached. */
    readonly status: number | null,
    /** How many attempts were made. */
    readonly attempts: number,
    /** The server's Retry-After, in ms, when it asked for a longer wait than the retry policy allows. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "PublisherError";
  }
}

// Pure Server-Sent Events framing: a message in, the exact bytes' text out.
// Field values that would break the line structure are refused here, so no
// caller can ever smuggle a `\r` or `\n` into an `id:` or `event:` line.

export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data: string;
}

const LINE_BREAK = /[\r\n]/;

function assertSingleLine(field: string, value: string): void {
  if (LINE_BREAK.test(value)) {
    throw new SyntaxError(`SSE ${field} must not contain a line break`);
  }
}

/** One event: optional `id:` and `event:`, then one `data:` line per line of data. */
export function formatEvent(frame: SseFrame): string {
  let out = "";
  if (frame.id !== undefined) {
    assertSingleLine("id", frame.id);
    // An id with NUL makes EventSource ignore the field (WHATWG HTML §9.2.6).
    if (frame.id.includes("\0")) throw new SyntaxError("SSE id must not contain NUL");
    out += `id: ${frame.id}\n`;
  }
  if (frame.event !== undefined) {
    assertSingleLine("event", frame.event);
    out += `event: ${frame.event}\n`;
  }
  for (const line of frame.data.split(/\r\n|\r|\n/)) {
    out += `data: ${line}\n`;
  }
  return `${out}\n`;
}

/** A comment line: ignored by EventSource, keeps proxies and dead-peer detection busy. */
export function formatComment(text: string): string {
  const lines = text.split(/\r\n|\r|\n/).map((line) => `: ${line}\n`);
  return `${lines.join("")}\n`;
}

export function formatRetry(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new SyntaxError("SSE retry must be a non-negative integer");
  return `retry: ${ms}\n`;
}

/**
 * What every stream starts with: the reconnect delay, the heartbeat interval
 * as a comment (so a client can tell a dead connection from a quiet one
 * without a setting), and, unless disabled, the greeting (no id).
 */
export function formatOpening(retryMs: number, heartbeatMs: number, greeting: string): string {
  const head = `${formatRetry(retryMs)}: heartbeat ${heartbeatMs}\n`;
  return greeting === "" ? `${head}\n` : head + formatEvent({ data: greeting });
}

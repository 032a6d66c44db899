// The HTTP answers of `/push`: a live stream, or a short stream that says
// "busy, come back later". Both are 200 text/event-stream, because browsers
// never retry any other answer (WHATWG HTML, "fail the connection").
import { BUSY_EVENT, type BusyNotice } from "../messages";
import { formatEvent, formatRetry } from "./format";

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;

export function sseResponse(body: ReadableStream<Uint8Array> | string): Response {
  return new Response(body, { headers: SSE_HEADERS });
}

/** `retry:` and a `busy` event, then the end: EventSource waits `retryMs` and reconnects, resume point unchanged. */
export function formatBusy(notice: BusyNotice): string {
  return formatRetry(notice.retryMs) + formatEvent({ event: BUSY_EVENT, data: JSON.stringify(notice) });
}

export const busyResponse = (notice: BusyNotice): Response => sseResponse(formatBusy(notice));

// How a page shows a message: the recommended shape {title, body, url, icon}
// read safely, and its age in words. Pure, so the demo page, the bell and
// apps render messages the same way.
import type { MessageContent } from "../messages";

/**
 * What of `msg` a page can show as text and links: a string is the body; an
 * object with a string title or body gives those, and its url and icon when
 * they are http(s) URLs (a `javascript:` link is dropped, never rendered).
 * Undefined for any other value: show it as data.
 */
export function readMessageContent(msg: unknown, baseUrl: string): MessageContent | undefined {
  if (typeof msg === "string") return { body: msg };
  if (typeof msg !== "object" || msg === null || Array.isArray(msg)) return undefined;
  const { title, body, url, icon } = msg as Record<string, unknown>;
  if (typeof title !== "string" && typeof body !== "string") return undefined;
  const link = webUrl(url, baseUrl);
  const image = webUrl(icon, baseUrl);
  return {
    ...(typeof title === "string" && { title }),
    ...(typeof body === "string" && { body }),
    ...(link !== undefined && { url: link }),
    ...(image !== undefined && { icon: image }),
  };
}

/** An http(s) URL, resolved against the page; undefined for anything else. */
function webUrl(value: unknown, baseUrl: string): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  try {
    const url = new URL(value, baseUrl);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Each unit, and how many of it make the next. */
const STEPS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
];

/**
 * How long ago `ts` was, in words of `locale`: "now" within the minute,
 * "5 minutes ago", "yesterday", up to a week; an older message by its date.
 */
export function relativeTime(ts: number, now: number, locale?: string): string {
  const words = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  let amount = Math.max(0, now - ts) / 60_000;
  if (amount < 1) return words.format(0, "second");
  for (const [unit, size] of STEPS) {
    if (Math.round(amount) < size) return words.format(-Math.round(amount), unit);
    amount /= size;
  }
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(ts);
}

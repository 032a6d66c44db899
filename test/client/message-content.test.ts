import { describe, expect, it } from "vitest";
import { readMessageContent, relativeTime } from "../../src/client/message-content";

const PAGE = "https://app.example.com/inbox";

describe("reading the recommended message shape", () => {
  it("takes title, body, url and icon, resolving links against the page", () => {
    expect(
      readMessageContent({ title: "New like", body: "Ana liked your post", url: "/posts/7", icon: "https://cdn.example.com/a.png" }, PAGE),
    ).toEqual({
      title: "New like",
      body: "Ana liked your post",
      url: "https://app.example.com/posts/7",
      icon: "https://cdn.example.com/a.png",
    });
  });

  it("shows a string message as its body", () => {
    expect(readMessageContent("maintenance at 22:00", PAGE)).toEqual({ body: "maintenance at 22:00" });
  });

  it("drops links that are not http(s), so a message can never run script in the page", () => {
    expect(readMessageContent({ title: "t", url: "javascript:alert(1)", icon: "data:image/png;base64,AAAA" }, PAGE)).toEqual({
      title: "t",
    });
    expect(readMessageContent({ body: "b", url: "http://[::1" }, PAGE)).toEqual({ body: "b" });
    expect(readMessageContent({ body: "b", url: 7 }, PAGE)).toEqual({ body: "b" });
  });

  it("leaves any other value to be shown as data", () => {
    for (const msg of [{ from: "42" }, [1, 2], 3, null, true, { title: 1 }]) expect(readMessageContent(msg, PAGE)).toBeUndefined();
  });
});

describe("a message's age in words", () => {
  const now = Date.UTC(2026, 11, 1, 12, 0, 0);
  const ago = (ms: number) => relativeTime(now - ms, now, "en");

  it("says now within the minute, then minutes, hours and days", () => {
    expect(ago(0)).toBe("now");
    expect(ago(59_000)).toBe("now");
    expect(ago(60_000)).toBe("1 minute ago");
    expect(ago(5 * 60_000)).toBe("5 minutes ago");
    expect(ago(59 * 60_000 + 40_000)).toBe("1 hour ago");
    expect(ago(3 * 3600_000)).toBe("3 hours ago");
    expect(ago(26 * 3600_000)).toBe("yesterday");
    expect(ago(3 * 86_400_000)).toBe("3 days ago");
  });

  it("gives the date of a message older than a week, and treats a clock ahead of ours as now", () => {
    expect(ago(10 * 86_400_000)).toBe("Nov 21, 2026");
    expect(ago(-5000)).toBe("now");
  });
});

import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { formatComment, formatEvent, formatOpening, formatRetry } from "../../src/sse/format";

function parse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  createParser({ onEvent: (event) => events.push(event) }).feed(text);
  return events;
}

describe("formatEvent", () => {
  it("frames a single line with id and event", () => {
    expect(formatEvent({ id: "42", event: "message", data: '{"a":1}' })).toBe('id: 42\nevent: message\ndata: {"a":1}\n\n');
  });

  it("frames data alone, with no id or event line", () => {
    expect(formatEvent({ data: "站内信链接成功！" })).toBe("data: 站内信链接成功！\n\n");
  });

  it("splits multi-line data into one data line per line, whatever the line ending", () => {
    const text = formatEvent({ data: "one\ntwo\r\nthree\rfour" });
    expect(text).toBe("data: one\ndata: two\ndata: three\ndata: four\n\n");
    expect(parse(text)).toEqual([{ data: "one\ntwo\nthree\nfour", event: undefined, id: undefined }]);
  });

  it("keeps unicode, emoji and U+2028 in data intact through a real parser", () => {
    const data = "新消息 🎉 a\u2028b é";
    expect(parse(formatEvent({ id: "7", event: "like", data }))).toEqual([{ id: "7", event: "like", data }]);
  });

  it("keeps empty lines inside data", () => {
    expect(formatEvent({ data: "a\n\nb" })).toBe("data: a\ndata: \ndata: b\n\n");
    expect(parse(formatEvent({ data: "a\n\nb" }))[0]?.data).toBe("a\n\nb");
  });

  it.each(["bad\nname", "bad\rname", "x\r\nevent: admin"])("refuses a line break in the event name %j", (event) => {
    expect(() => formatEvent({ event, data: "x" })).toThrow(SyntaxError);
  });

  it.each(["1\n2", "1\r", "1\0"])("refuses a line break or NUL in the id %j", (id) => {
    expect(() => formatEvent({ id, data: "x" })).toThrow(SyntaxError);
  });
});

describe("comments, retry and the opening", () => {
  it("frames a comment", () => {
    expect(formatComment("ping")).toBe(": ping\n\n");
  });

  it("frames retry and refuses a bad value", () => {
    expect(formatRetry(3000)).toBe("retry: 3000\n");
    expect(() => formatRetry(-1)).toThrow(SyntaxError);
    expect(() => formatRetry(1.5)).toThrow(SyntaxError);
  });

  it("opens with retry, the heartbeat interval as a comment and the greeting, or no greeting when it is disabled", () => {
    expect(formatOpening(3000, 15000, "站内信链接成功！")).toBe("retry: 3000\n: heartbeat 15000\ndata: 站内信链接成功！\n\n");
    expect(parse(formatOpening(3000, 15000, "站内信链接成功！"))).toEqual([{ data: "站内信链接成功！", event: undefined, id: undefined }]);
    expect(formatOpening(5000, 25000, "")).toBe("retry: 5000\n: heartbeat 25000\n\n");
    expect(parse(formatOpening(5000, 25000, ""))).toEqual([]);
  });
});

// The parsers on their own: what each route's input becomes, and how a problem
// anywhere in an input is named. (Every route's refusals through the Worker
// are in errors.test.ts and secure/hostile.test.ts.)
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { InboxQuery, MarkReadBody, StatsQuery, TokenBody } from "../src/requests";
import { jsonObject, parse, Uid, UidText } from "../src/validate";

const messageOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a 400");
};

describe("clean values for the hub", () => {
  it("gives /inbox its page as numbers, with the defaults", () => {
    const defaults = { uid: "1", before: null, limit: 20, status: "all", tag: null, countTags: [] };
    expect(parse(InboxQuery, { uid: "1" })).toEqual(defaults);
    expect(parse(InboxQuery, { uid: "1", before: "42", limit: "5", token: "ignored" })).toEqual({ ...defaults, before: 42, limit: 5 });
    expect(parse(InboxQuery, { uid: "1", status: "archived", tag: "social", tags: "social,system,social" })).toEqual({
      ...defaults,
      status: "archived",
      tag: "social",
      countTags: ["social", "system"],
    });
  });

  it("gives /inbox/read ids as numbers, from strings or numbers", () => {
    expect(parse(MarkReadBody, { uid: 7, ids: ["1", 2] })).toEqual({ uid: "7", ids: [1, 2], upTo: null });
    expect(parse(MarkReadBody, { uid: "1", upTo: "9007199254740991" })).toEqual({ uid: "1", ids: [], upTo: Number.MAX_SAFE_INTEGER });
  });

  it("gives /token its default ttl", () => {
    expect(parse(TokenBody, { uid: "1" })).toEqual({ uid: "1", ttl: 3600 });
  });

  it("leaves /stats without a uid when none is asked for", () => {
    expect(parse(StatsQuery, {})).toEqual({});
  });
});

describe("naming the problem", () => {
  const Batch = jsonObject({ messages: v.array(jsonObject({ uid: Uid }, '{"uid":"1"}')) }, '{"messages":[]}');

  it("names the field and its place in nested input", () => {
    expect(messageOf(() => parse(Batch, { messages: [{ uid: "1" }, { uid: "" }] }))).toBe("messages[1].uid must be 1 to 128 characters");
  });

  it("names a missing or unknown field inside its parent", () => {
    expect(messageOf(() => parse(Batch, { messages: [{}] }))).toBe('messages[0]: uid is required, e.g. {"uid":"1"}');
    expect(messageOf(() => parse(Batch, { messages: [{ uid: "1", uids: [] }] }))).toBe('messages[0]: unknown field "uids"; allowed: uid');
  });

  it("names an unknown field before any other problem: it is most likely a typo", () => {
    expect(messageOf(() => parse(jsonObject({ uid: Uid, msg: v.unknown() }, "{}"), { uid: "", mgs: 1 }))).toBe(
      'unknown field "mgs"; allowed: uid, msg',
    );
  });

  it("names the input as a whole by its label", () => {
    expect(messageOf(() => parse(UidText, undefined, "uid"))).toBe("uid must be a string");
    expect(messageOf(() => parse(Batch, [1]))).toBe('the body must be a JSON object like {"messages":[]}');
  });
});

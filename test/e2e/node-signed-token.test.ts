// The Node snippet docs/publishing.md shows (examples/sign-token.mjs) makes tokens the Worker accepts.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
// @ts-expect-error: a plain .mjs example, kept free of types so it can be pasted anywhere.
import { signInboxToken } from "../../examples/sign-token.mjs";
import { verifySubscriberToken } from "../../src/auth/subscriber-token.ts";

it("signs tokens that verify, for unicode uids too", async () => {
  for (const uid of ["42", "用户-7", "a.b_c"]) {
    const token: string = signInboxToken("backend-secret", uid, 60);
    const check = await verifySubscriberToken("backend-secret", token, uid, Math.floor(Date.now() / 1000));
    expect(check).toMatchObject({ ok: true });
    expect(await verifySubscriberToken("other-secret", token, uid, Math.floor(Date.now() / 1000))).toEqual({
      ok: false,
      reason: "signature",
    });
  }
});

it("is the snippet docs/publishing.md shows", () => {
  const snippet = readFileSync("examples/sign-token.mjs", "utf8");
  const readme = readFileSync("docs/publishing.md", "utf8");
  const body = snippet.slice(snippet.indexOf("import"));
  expect(readme).toContain(body.trim());
});

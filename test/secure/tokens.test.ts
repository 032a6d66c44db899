import { afterEach, describe, expect, it } from "vitest";
import { decodeBase64Url, encodeBase64Url } from "../../src/auth/base64url";
import { signSubscriberToken, verifySubscriberToken } from "../../src/auth/subscriber-token";
import { getInbox } from "../helpers/inbox";
import { AUTH, postJson, publish } from "../helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "../helpers/sse-client";
import { TEST_HEARTBEAT_MS, TEST_SUBSCRIBE_SECRET } from "../helpers/test-settings";
import { nowSeconds, tokenFor } from "../helpers/tokens";
import { freshUid } from "../helpers/uids";

afterEach(closeAllStreams);

describe("token format", () => {
  it("is base64url(uid).exp.base64url(HMAC-SHA256(secret, base64url(uid).exp))", async () => {
    const token = await signSubscriberToken("s3cret", "用户 42", 1_900_000_000);
    const [uidPart, exp, signature] = token.split(".");
    expect(new TextDecoder().decode(decodeBase64Url(uidPart!)!)).toBe("用户 42");
    expect(exp).toBe("1900000000");
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode("s3cret"), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    const expected = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${uidPart}.${exp}`));
    expect(signature).toBe(encodeBase64Url(new Uint8Array(expected)));
    expect(token).not.toMatch(/[=+/]/);
  });

  it("round-trips, and refuses another uid, a wrong secret, expiry and tampering", async () => {
    const token = await signSubscriberToken("s3cret", "42", 2000);
    expect(await verifySubscriberToken("s3cret", token, "42", 1999)).toEqual({ ok: true, exp: 2000 });
    expect(await verifySubscriberToken("s3cret", token, "43", 1999)).toEqual({ ok: false, reason: "uid" });
    expect(await verifySubscriberToken("other", token, "42", 1999)).toEqual({ ok: false, reason: "signature" });
    expect(await verifySubscriberToken("s3cret", token, "42", 2000)).toEqual({ ok: false, reason: "expired" });
    const [uidPart, , signature] = token.split(".");
    expect(await verifySubscriberToken("s3cret", `${uidPart}.9999.${signature}`, "42", 1999)).toEqual({ ok: false, reason: "signature" });
    for (const bad of [
      "",
      "a.b",
      `${token}.x`,
      token.slice(0, -2),
      `${uidPart}.0.${signature}`,
      `${uidPart}.+5.${signature}`,
      `!.2000.${signature}`,
    ]) {
      expect(await verifySubscriberToken("s3cret", bad, "42", 1999), bad).toEqual({ ok: false, reason: "malformed" });
    }
  });

  it("refuses non-canonical base64url", () => {
    expect(decodeBase64Url("QQ")).toEqual(new Uint8Array([65]));
    expect(decodeBase64Url("QR")).toBeNull();
    expect(decodeBase64Url("QQ==")).toBeNull();
    expect(decodeBase64Url("Q")).toBeNull();
  });
});

describe("POST /token", () => {
  it("mints a token the hub accepts, with the ttl asked for", async () => {
    const uid = freshUid("minted");
    const response = await postJson("/token", { uid, ttl: 120 });
    expect(response.status).toBe(200);
    const { code, token, exp } = (await response.json()) as { code: number; token: string; exp: number };
    expect(code).toBe(0);
    expect(exp).toBeGreaterThanOrEqual(nowSeconds() + 119);
    expect(exp).toBeLessThanOrEqual(nowSeconds() + 121);
    expect(await verifySubscriberToken(TEST_SUBSCRIBE_SECRET, token, uid, nowSeconds())).toEqual({ ok: true, exp });
    const stream = await openStream(uid, { query: { token } });
    const sent = await publish({ uid, msg: "for the token holder" });
    await stream.untilMessages(1);
    expect(stream.messages()[0]).toMatchObject({ id: sent.id });
  });
});

describe("secure mode", () => {
  it("takes the token from the inbox_token cookie too, and ?token= wins over it", async () => {
    const uid = freshUid("cookie");
    const cookie = `inbox_token=${await tokenFor(uid)}`;
    expect((await fetchWorker(`/inbox?uid=${uid}`, { headers: { Cookie: cookie } })).status).toBe(200);
    const stream = await openStream(uid, { headers: { Cookie: cookie } });
    expect(stream.response.status).toBe(200);
    const otherToken = await tokenFor(freshUid("someone"));
    const refused = await fetchWorker(`/inbox?uid=${uid}&token=${otherToken}`, { headers: { Cookie: cookie } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ code: 401, error: "the subscriber token is for another uid" });
  });

  it("takes the token from Authorization: Bearer first, on /push, /inbox and /inbox/read", async () => {
    const uid = freshUid("bearer");
    const bearer = { Authorization: `Bearer ${await tokenFor(uid)}` };
    const stream = await openStream(uid, { headers: bearer });
    expect(stream.response.status).toBe(200);
    const sent = await publish({ uid, msg: "for the header" });
    await stream.untilMessages(1);
    expect(stream.messages()[0]).toMatchObject({ id: sent.id });
    expect((await fetchWorker(`/inbox?uid=${uid}`, { headers: bearer })).status).toBe(200);
    const read = await fetchWorker("/inbox/read", {
      method: "POST",
      headers: { ...bearer, "Content-Type": "application/json" },
      body: JSON.stringify({ uid, ids: [sent.id] }),
    });
    expect(await read.json()).toEqual({ unread: 0, unseen: 0 });
    // The header wins over the query and the cookie, whatever they hold.
    const otherToken = await tokenFor(freshUid("someone"));
    const headerFirst = await fetchWorker(`/inbox?uid=${uid}&token=${otherToken}`, {
      headers: { ...bearer, Cookie: `inbox_token=${otherToken}` },
    });
    expect(headerFirst.status).toBe(200);
    const wrongHeader = await fetchWorker(`/inbox?uid=${uid}&token=${await tokenFor(uid)}`, {
      headers: { Authorization: `Bearer ${otherToken}` },
    });
    expect(wrongHeader.status).toBe(401);
    expect(await wrongHeader.json()).toEqual({ code: 401, error: "the subscriber token is for another uid" });
  });

  it("guards the inbox and its read marks with the uid's token", async () => {
    const uid = freshUid("reader");
    const sent = await publish({ uid, msg: "secret" });
    const token = await tokenFor(uid);
    expect((await getInbox(uid, { token })).messages.map((m) => m.id)).toContain(sent.id);
    const read = await fetchWorker(`/inbox/read?token=${token}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ uid, ids: [sent.id] }),
    });
    expect(read.status).toBe(200);
    expect((await getInbox(uid, { token })).messages.find((m) => m.id === sent.id)?.read).toBe(true);
  });

  it("closes a stream when its token expires, and the expired token cannot reconnect", async () => {
    const uid = freshUid("expiring");
    const token = await signSubscriberToken(TEST_SUBSCRIBE_SECRET, uid, nowSeconds() + 1);
    const stream = await openStream(uid, { query: { token } });
    await stream.untilEnded(2000 + TEST_HEARTBEAT_MS * 4);
    const again = await fetchWorker(`/push?uid=${uid}&token=${token}`);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: string }).error).toMatch(/expired/);
    const stats = (await (await fetchWorker("/stats", { headers: AUTH })).json()) as { dropped: { expired: number } };
    expect(stats.dropped.expired).toBeGreaterThanOrEqual(1);
  });
});

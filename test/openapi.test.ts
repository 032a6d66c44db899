// GET /openapi.json through the real Worker: the document covers exactly the
// routes the app serves, its examples work as written, and every documented
// path refuses the other methods with 405 and Allow.
import { afterEach, describe, expect, it } from "vitest";
import { app } from "../src/app";
import { API_ROUTES } from "../src/openapi/routes";
import { AUTH, postJson, publish } from "./helpers/publish";
import { closeAllStreams, fetchWorker, openStream } from "./helpers/sse-client";

afterEach(closeAllStreams);

interface Operation {
  requestBody?: { content: { "application/json": { examples: Record<string, { value: unknown }> } } };
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
}

async function servedDocument(): Promise<Document> {
  const response = await fetchWorker("/openapi.json");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  return (await response.json()) as Document;
}

const examplesOf = (document: Document, method: string, path: string) =>
  Object.entries(document.paths[path]?.[method]?.requestBody?.content["application/json"].examples ?? {});

describe("GET /openapi.json", () => {
  it("answers an OpenAPI 3.1 document", async () => {
    expect((await servedDocument()).openapi).toBe("3.1.0");
  });

  it("documents every route the app serves, and only those", async () => {
    const document = await servedDocument();
    // Middleware and the 405 answers are registered for ALL methods.
    // Hono writes a path parameter as :name, OpenAPI as {name}.
    const served = app.routes
      .filter((route) => route.method !== "ALL")
      .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z]+)/g, "{$1}")}`);
    const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(served.sort());
  });

  it("has /update examples that publish as written", async () => {
    const examples = examplesOf(await servedDocument(), "post", "/update");
    expect(examples.length).toBeGreaterThan(0);
    const stream = await openStream("1");
    for (const [name, body] of examples.map(([name, { value }]) => [name, value] as const)) {
      const response = await postJson("/update", body);
      expect(response.status, name).toBe(200);
      expect(((await response.json()) as { code: number }).code, name).toBe(0);
    }
    // The seed example is for uid 1: its stream got it.
    await stream.until(() => stream.messages().some((m) => m.msg === "hello"), "the seed example's message");
  });

  it("has /inbox/read examples that mark read as written", async () => {
    await publish({ uid: "1", msg: "to read" });
    for (const [name, { value }] of examplesOf(await servedDocument(), "post", "/inbox/read")) {
      const response = await postJson("/inbox/read", value, {});
      expect(response.status, name).toBe(200);
      expect(await response.json(), name).toEqual({ unread: expect.any(Number), unseen: expect.any(Number) });
    }
  });
});

describe("405", () => {
  const methodsOf = (path: string) => API_ROUTES.filter((route) => route.path === path).map((route) => route.method.toUpperCase());
  const paths = [...new Set(API_ROUTES.map((route) => route.path))];
  it.each(paths.map((path) => [path, methodsOf(path).join(", ")] as const))(
    "%s refuses other methods and names %s in Allow",
    async (path, allow) => {
      const other = ["GET", "POST", "PUT"].find((method) => !allow.split(", ").includes(method))!;
      // A path parameter gets a value; the error names the route's own pattern.
      const response = await fetchWorker(path.replace(/\{[A-Za-z]+\}/g, "1"), { method: other, headers: AUTH });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
      const pattern = path.replace(/\{([A-Za-z]+)\}/g, ":$1");
      expect(await response.json()).toEqual({ code: 405, error: `${other} is not allowed on ${pattern}; use ${allow}` });
    },
  );
});

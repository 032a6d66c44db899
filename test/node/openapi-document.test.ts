// The OpenAPI document read by the tools its users will read it with: an
// OpenAPI 3.1 validator, and a JSON Schema validator (ajv, draft 2020-12) for
// the schemas inside it. Every example in it must pass both its JSON Schema and
// the parser that guards the route, and bad bodies must fail both.
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "../../src/openapi/document";
import { API_ROUTES } from "../../src/openapi/routes";
import { parse } from "../../src/validate";

// What /openapi.json serves.
const served = JSON.parse(JSON.stringify(openApiDocument()));

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(served, "openapi.json");

/** A validator for the JSON Schema at `pointer` inside the document. */
const schemaAt = (pointer: string) => ajv.compile({ $ref: `openapi.json#${pointer}` });

const bodySchemaOf = (path: string, method: string) =>
  schemaAt(`/paths/${path.replaceAll("/", "~1")}/${method}/requestBody/content/application~1json/schema`);

const routeAt = (method: string, path: string) => {
  const route = API_ROUTES.find((r) => r.method === method && r.path === path);
  if (route?.body === undefined) throw new Error(`no documented body for ${method} ${path}`);
  return { ...route, body: route.body };
};

const refused = (schema: Parameters<typeof parse>[0], input: unknown) => {
  try {
    parse(schema, input);
    return false;
  } catch {
    return true;
  }
};

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(served);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(served.openapi).toBe("3.1.0");
  });

  it("holds JSON Schemas that compile under draft 2020-12", () => {
    for (const name of Object.keys(served.components.schemas)) expect(() => schemaAt(`/components/schemas/${name}`), name).not.toThrow();
  });

  const examples = API_ROUTES.flatMap((route) =>
    Object.entries(route.body?.examples ?? {}).map(
      ([name, example]) => [`${route.method} ${route.path} "${name}"`, route, example] as const,
    ),
  );

  it.each(examples)("example %s passes its JSON Schema and the route's parser", (_name, route, example) => {
    const validate = bodySchemaOf(route.path, route.method);
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(() => parse(route.body!.schema, example)).not.toThrow();
  });

  // Rules JSON Schema can state; the others (recipients named, valid Unicode,
  // msg depth) are in the descriptions and the parser's messages.
  const badBodies: Array<[method: string, path: string, body: unknown]> = [
    ["post", "/update", null],
    ["post", "/update", [{ uid: "1", msg: 1 }]],
    ["post", "/update", { uid: "1" }],
    ["post", "/update", { uid: "", msg: 1 }],
    ["post", "/update", { uid: "u".repeat(129), msg: 1 }],
    ["post", "/update", { uid: "a\r\nevent: x", msg: 1 }],
    ["post", "/update", { uid: "a\u2028", msg: 1 }],
    ["post", "/update", { uid: 1.5, msg: 1 }],
    ["post", "/update", { uid: true, msg: 1 }],
    ["post", "/update", { uids: "1", msg: 1 }],
    ["post", "/update", { uids: Array.from({ length: 1001 }, (_, i) => `u${i}`), msg: 1 }],
    ["post", "/update", { uids: ["1", { uid: "2" }], msg: 1 }],
    ["post", "/update", { uid: "1", msg: 1, isall: true }],
    ["post", "/update", { uid: "1", isAll: "true", msg: 1 }],
    ["post", "/update", { uid: "1", event: "a\nb", msg: 1 }],
    ["post", "/update", { uid: "1", event: "e".repeat(65), msg: 1 }],
    ["post", "/update", { uid: "1", event: "unread", msg: 1 }],
    ["post", "/update", { uid: "1", key: "", msg: 1 }],
    ["post", "/update", { uid: "1", key: 5, msg: 1 }],
    ["post", "/inbox/read", { upTo: "1" }],
    ["post", "/inbox/read", { uid: "1", upTo: "0" }],
    ["post", "/inbox/read", { uid: "1", upTo: "-1" }],
    ["post", "/inbox/read", { uid: "1", upTo: "01" }],
    ["post", "/inbox/read", { uid: "1", ids: "1" }],
    ["post", "/inbox/read", { uid: "1", ids: [1.5] }],
    ["post", "/inbox/read", { uid: "1", all: true }],
    ["post", "/token", { ttl: 60 }],
    ["post", "/token", { uid: "1", ttl: 0 }],
    ["post", "/token", { uid: "1", ttl: 86_401 }],
    ["post", "/token", { uid: "1", ttl: "60" }],
    ["post", "/token", { uid: "1", ttl: 1.5 }],
  ];

  const shortly = (body: unknown) => JSON.stringify(body).replace(/(.{60}).+/, "$1…");
  it.each(badBodies.map(([method, path, body]) => [method, path, shortly(body), body] as const))(
    "and the parser both refuse %s %s %s",
    (method, path, _shown, body) => {
      expect(bodySchemaOf(path, method)(body)).toBe(false);
      expect(refused(routeAt(method, path).body.schema, body)).toBe(true);
    },
  );

  it.each([
    ["live", ["unread", "message", "unread", "retract"]],
    ["busy", ["busy"]],
  ])("shows a %s /push stream made of the documented events", (name, expected) => {
    const example: string = served.paths["/push"].get.responses["200"].content["text/event-stream"].examples[name].value;
    const events: EventSourceMessage[] = [];
    // The greeting is the one unnamed event; its data is text, not JSON.
    createParser({ onEvent: (event) => event.event !== undefined && events.push(event) }).feed(example);
    expect(events.map((event) => event.event)).toEqual(expected);
    const dataSchema: Record<string, string> = {
      message: "PushMessage",
      unread: "InboxCounts",
      reset: "ResetNotice",
      busy: "BusyNotice",
      retract: "RetractNotice",
    };
    for (const event of events) {
      const validate = schemaAt(`/components/schemas/${dataSchema[event.event!]}`);
      expect(validate(JSON.parse(event.data)), `${event.event}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });
});

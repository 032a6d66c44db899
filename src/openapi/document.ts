// The OpenAPI 3.1 document served at /openapi.json, built from the route
// table and the valibot schemas that parse each request. Built once per
// isolate, on first request.
import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { version } from "../../package.json";
import { type Answer, API_ROUTES, type ApiRoute, type ErrorStatus } from "./routes";
import { COMPONENTS } from "./schemas";

const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  // Each pipe is documented from its last schema, which is written as the
  // caller sends it (`limit` is a whole number; a uid may be a string or an
  // integer). valibot's "input" mode would stop at the first transform.
  typeMode: "output",
  // Checks and transforms have no JSON Schema form: descriptions and the
  // error messages state those rules.
  ignoreActions: ["check", "transform"],
  definitions: COMPONENTS,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

function jsonSchema(schema: v.GenericSchema): JsonSchema {
  const { $schema, $defs, ...rest } = toJsonSchema(schema, CONVERSION);
  return rest;
}

const ERRORS: Record<ErrorStatus, { name: string; description: string; headers?: Record<string, string> }> = {
  400: { name: "BadInput", description: "The input is invalid: `error` names the field and how to fix it. Nothing was stored or sent." },
  401: {
    name: "Unauthorized",
    description: "The token is missing, malformed, wrong or expired; `error` says which.",
    headers: { "WWW-Authenticate": 'Bearer realm="edge-inbox" (publisher) or realm="edge-inbox subscriber".' },
  },
  404: {
    name: "NotFound",
    description: "No such message (never published, expired, retracted or trimmed), or the demo page is off (DEMO_PAGE=off).",
  },
  409: {
    name: "Conflict",
    description: "The idempotency key was used within 24 hours for a different request. Nothing was stored; use a new key.",
  },
  413: { name: "TooLarge", description: "The body is larger than MAX_BODY_BYTES (default 64 KiB)." },
  415: { name: "NotJson", description: "Send the body as JSON with `Content-Type: application/json`." },
  503: {
    name: "Unavailable",
    description:
      "Not configured (publisher routes need PUBLISH_TOKEN, /token needs SUBSCRIBE_SECRET; `error` names the secret), " +
      "or a hub is overloaded, restarting or failed: retry after `Retry-After` seconds.",
    headers: { "Retry-After": "Seconds to wait before retrying, when the hub was unavailable." },
  },
};

const SECURITY: Record<ApiRoute["auth"], Array<Record<string, string[]>>> = {
  publisher: [{ publisherToken: [] }],
  // `{}`: without SUBSCRIBE_SECRET anyone may listen to any uid.
  subscriber: [{ subscriberToken: [] }, { subscriberCookie: [] }, {}],
  none: [],
};

const SUBSCRIBER_TOKEN = "A subscriber token for the uid (POST /token mints one); needed only when SUBSCRIBE_SECRET is set.";

const headerObjects = (headers: Readonly<Record<string, string>> = {}) =>
  Object.fromEntries(Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]));

/** An object schema's fields as parameters, with each field's description lifted to the parameter. */
function parameters(schema: v.GenericSchema | undefined, location: "query" | "header" | "path") {
  if (schema === undefined) return [];
  const { properties = {}, required = [] } = jsonSchema(schema);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...fieldSchema } = property as JsonSchema;
    return { name, in: location, required: location === "path" || required.includes(name), description, schema: fieldSchema };
  });
}

const namedExamples = (examples: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { value }]));

function answer({ description, mediaType, schema, examples, headers }: Answer) {
  const media =
    mediaType === undefined
      ? undefined
      : { [mediaType]: { schema: schema && jsonSchema(schema), examples: examples && namedExamples(examples) } };
  return { description, headers: headers && headerObjects(headers), content: media };
}

/** "post /inbox/read" → "postInboxRead"; "get /" → "getRoot" */
function operationId({ method, path }: ApiRoute): string {
  const words = path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? "").toUpperCase());
  return method + (words || "Root");
}

function operation(route: ApiRoute) {
  const params = [...parameters(route.pathParams, "path"), ...parameters(route.query, "query"), ...parameters(route.headers, "header")];
  return {
    tags: [route.tag],
    summary: route.summary,
    description: route.description,
    operationId: operationId(route),
    security: SECURITY[route.auth],
    parameters: params.length > 0 ? params : undefined,
    requestBody: route.body && {
      required: true,
      content: {
        "application/json": {
          schema: jsonSchema(route.body.schema),
          examples: namedExamples(route.body.examples),
        },
      },
    },
    responses: {
      [route.answer.status]: answer(route.answer),
      ...Object.fromEntries(route.errors.map((status) => [status, { $ref: `#/components/responses/${ERRORS[status].name}` }])),
    },
  };
}

function buildDocument() {
  const paths: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const route of API_ROUTES) paths[route.path] = { ...paths[route.path], [route.method]: operation(route) };
  return {
    openapi: "3.1.0",
    info: {
      title: "edge-inbox",
      version,
      description:
        "Site messages (站内信) pushed to browsers over Server-Sent Events from a Cloudflare Worker. " +
        "Every answer that is not 2xx is JSON `{code, error}` with the status as `code`: besides the errors listed per route, " +
        "an unknown path answers 404 and a known path with another method 405 with `Allow`.",
    },
    tags: [
      { name: "publisher", description: "Your backend: publish, mint subscriber tokens, read counters. Needs PUBLISH_TOKEN." },
      { name: "subscriber", description: "The browser: the stream and the inbox. Needs a subscriber token when SUBSCRIBE_SECRET is set." },
      { name: "pages", description: "Pages and this document." },
    ],
    paths,
    components: {
      schemas: toJsonSchemaDefs(COMPONENTS, CONVERSION),
      responses: Object.fromEntries(
        Object.values(ERRORS).map(({ name, description, headers }) => [
          name,
          {
            description,
            headers: headers && headerObjects(headers),
            content: { "application/json": { schema: jsonSchema(COMPONENTS.ApiError) } },
          },
        ]),
      ),
      securitySchemes: {
        publisherToken: { type: "http", scheme: "bearer", description: "PUBLISH_TOKEN, a secret only your backend knows." },
        subscriberToken: { type: "apiKey", in: "query", name: "token", description: SUBSCRIBER_TOKEN },
        subscriberCookie: { type: "apiKey", in: "cookie", name: "inbox_token", description: SUBSCRIBER_TOKEN },
      },
    },
  };
}

let built: ReturnType<typeof buildDocument> | undefined;

export function openApiDocument(): ReturnType<typeof buildDocument> {
  built ??= buildDocument();
  return built;
}

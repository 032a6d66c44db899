// The package as a team installs it (test/package/global-setup.ts): what the
// tarball holds, that Node loads its three entry points, and that TypeScript
// resolves their types under NodeNext and bundler resolution.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, inject, it } from "vitest";
import { verifySubscriberToken } from "../../src/auth/subscriber-token";

const consumerDir = inject("consumerDir");
const installed = join(consumerDir, "node_modules", "edge-inbox");
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(projectRoot, "node_modules/typescript/bin/tsc");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [relative(installed, join(dir, entry.name))],
  );
}

/** Runs an ES module script in the scratch project with this node binary; answers its stdout. */
function runInConsumer(node: string, script: string, flags: string[] = []): string {
  const result = spawnSync(node, [...flags, "--input-type=module", "-e", script], { cwd: consumerDir, encoding: "utf8", timeout: 20_000 });
  if (result.status !== 0) throw new Error(`${node} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

// The widget loads in Node too (a server-rendered app imports it): it defines nothing where there is no DOM.
const LIST_EXPORTS = `
const client = await import("edge-inbox/client");
const server = await import("edge-inbox/server");
const widget = await import("edge-inbox/widget");
console.log(JSON.stringify({ client: Object.keys(client).sort(), server: Object.keys(server).sort(), widget: Object.keys(widget).sort() }));`;

/** The names the sources export: what the package must export at runtime. */
async function sourceExports(): Promise<{ client: string[]; server: string[]; widget: string[] }> {
  const client = await import("../../src/client/index.ts");
  const server = await import("../../src/server/index.ts");
  const widget = await import("../../src/widget/index.ts");
  return { client: Object.keys(client).sort(), server: Object.keys(server).sort(), widget: Object.keys(widget).sort() };
}

/** A Node 20 on the PATH other than the project's own node package, if the system has one. */
function systemNode20(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir === "" || dir.includes("node_modules")) continue;
    const candidate = join(dir, "node");
    const version = spawnSync(candidate, ["--version"], { encoding: "utf8" });
    if (version.status === 0 && version.stdout.startsWith("v20.")) return candidate;
  }
  return undefined;
}
const node20 = systemNode20();

describe("the tarball", () => {
  it("holds the built package only: JavaScript, declarations, package.json and README", () => {
    const files = filesUnder(installed).sort();
    expect(files).toContain("dist/client/index.js");
    expect(files).toContain("dist/client/index.d.ts");
    expect(files).toContain("dist/server/index.js");
    expect(files).toContain("dist/server/index.d.ts");
    expect(files).toContain("dist/widget/index.js");
    expect(files).toContain("dist/widget/index.d.ts");
    expect(files.filter((file) => !/^dist\/.+\.(js|d\.ts)$/.test(file))).toEqual(["README.md", "package.json"]);
  });

  it("declares no dependencies, so it installs offline into any project", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.exports).toMatchObject({
      "./client": { types: "./dist/client/index.d.ts", default: "./dist/client/index.js" },
      "./server": { types: "./dist/server/index.d.ts", default: "./dist/server/index.js" },
      "./widget": { types: "./dist/widget/index.d.ts", default: "./dist/widget/index.js" },
    });
    // Importing the widget defines the element: a bundler must not drop `import "edge-inbox/widget"`.
    expect(manifest.sideEffects).toEqual(["./dist/widget/index.js"]);
  });
});

describe("in Node", () => {
  it("imports every entry point in Node 24 with the names the sources export", async () => {
    expect(JSON.parse(runInConsumer(process.execPath, LIST_EXPORTS))).toEqual(await sourceExports());
  });

  it("imports them with type stripping off: plain ES modules, no TypeScript", async () => {
    expect(JSON.parse(runInConsumer(process.execPath, LIST_EXPORTS, ["--no-experimental-strip-types"]))).toEqual(await sourceExports());
  });

  it.skipIf(node20 === undefined)("imports them in the system's Node 20 and signs a token the Worker accepts there", async () => {
    const script = `${LIST_EXPORTS}
const { createPublisher } = await import("edge-inbox/server");
const signed = await createPublisher({ url: "http://127.0.0.1:1", token: "t", subscribeSecret: "node-20-secret" }).signSubscriberToken("42", 60);
console.log(JSON.stringify(signed));`;
    const [names, signedLine] = runInConsumer(node20!, script).trim().split("\n");
    expect(JSON.parse(names!)).toEqual(await sourceExports());
    const signed = JSON.parse(signedLine!) as { uid: string; token: string; exp: number };
    expect(await verifySubscriberToken("node-20-secret", signed.token, "42", Math.floor(Date.now() / 1000))).toEqual({
      ok: true,
      exp: signed.exp,
    });
  });
});

// Consumers that use the entry points the way the README shows. `@ts-expect-error`
// lines fail the check if the types were lost (an unresolved import types everything as any).
const SERVER_CONSUMER = `
import {
  createPublisher,
  PublisherError,
  type BatchResult,
  type EraseResult,
  type InboxBinding,
  type MessageReceipt,
  type PublishResult,
  type RetractResult,
  type SubscriberToken,
} from "edge-inbox/server";

const publisher = createPublisher({ url: "https://inbox.example.com", token: "publisher-token", subscribeSecret: "secret" });
const result: PublishResult = await publisher.publish({
  uid: "42",
  event: "like",
  msg: { title: "New like", body: "Ana liked your post", url: "/posts/7" },
  key: "like-7-42",
  tags: ["social"],
  ttl: 3600,
});
const receipt: MessageReceipt = await publisher.receipt("like-7-42");
const read: number = receipt.read;
const retracted: RetractResult = await publisher.retract(result.id);
const erased: EraseResult = await publisher.eraseUser(42);
const batch: BatchResult = await publisher.publishBatch([{ uid: "1", msg: "a" }, { isAll: true, msg: "b", key: "b-1" }]);
const firstId: string = batch.results[0]!.id;
const id: string = result.id;
const signed: SubscriberToken = await publisher.signSubscriberToken(42, 3600);
const minted = await publisher.mintToken("42");
const code: 0 = minted.code;
const streams: number = (await publisher.stats()).streams;
const online: boolean = (await publisher.presence("42")).online;
try {
  await publisher.publish({ isAll: true, msg: "maintenance at 22:00" }, { signal: AbortSignal.timeout(5000) });
} catch (error) {
  if (error instanceof PublisherError) console.log(error.status, error.attempts, error.message);
}
declare const binding: InboxBinding;
const viaBinding = await binding.publish({ uid: "42", msg: 1 });
if ("error" in viaBinding) console.log(viaBinding.code, viaBinding.error);
else console.log(viaBinding.delivered);
// @ts-expect-error msg is required
await publisher.publish({ uid: "42" });
// @ts-expect-error there is no such option
createPublisher({ url: "https://inbox.example.com", token: "t", retries: 3 });
// @ts-expect-error tags are strings
await publisher.publish({ uid: "42", msg: 1, tags: [1] });
console.log(id, signed.exp, streams, online, code, read, retracted.ids, erased.messages, firstId);
`;

const CLIENT_CONSUMER = `
import { archive, deleteMessages, fetchInbox, markRead, markSeen, subscribe, type InboxCounts, type InboxPage } from "edge-inbox/client";

const target = { url: "https://inbox.example.com", uid: "42", token: "subscriber-token" };
const page: InboxPage<{ title: string }> = await fetchInbox<{ title: string }>(target, { status: "unseen", tag: "social", tags: ["social"] });
const subscription = subscribe({
  ...target,
  onUnread: (count: number) => console.log(count),
  onCounts: ({ unread, unseen }: InboxCounts) => console.log(unread, unseen),
  onRetract: (id: string, reason: "retracted" | "expired") => console.log(id, reason),
});
subscription.close();
await markRead(target, { upTo: page.messages[0]?.id ?? "1" });
const counts: InboxCounts = await markSeen(target, { ids: page.messages.map((m) => m.id) });
await archive(target, { ids: ["1"] });
await deleteMessages(target, { upTo: "1" });
console.log(counts.unseen, page.byTag?.social?.unread);
// @ts-expect-error no such status
fetchInbox(target, { status: "starred" });
// @ts-expect-error the uid is required
fetchInbox({ url: "https://inbox.example.com" });
`;

const WIDGET_CONSUMER = `
import { BELL_TAG, defineInboxBell, InboxBell } from "edge-inbox/widget";

const bell: InboxBell = document.createElement("edge-inbox-bell");
bell.setAttribute("uid", "42");
bell.getToken = () => fetch("/api/inbox-token").then((r) => r.text());
document.body.append(bell);
bell.open();
const unseen: number = bell.counts.unseen;
defineInboxBell("acme-bell");
console.log(BELL_TAG, unseen, bell.isOpen);
// @ts-expect-error getToken gives a string
bell.getToken = () => 42;
`;

function typeCheck(name: string, options: Record<string, unknown>, file: string): void {
  const config = join(consumerDir, `tsconfig.${name}.json`);
  const compilerOptions = { target: "es2022", strict: true, noEmit: true, skipLibCheck: false, ...options };
  writeFileSync(config, JSON.stringify({ compilerOptions, files: [file] }, null, 2));
  try {
    execFileSync(process.execPath, [tsc, "-p", config], { cwd: consumerDir, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    throw new Error(`tsc -p tsconfig.${name}.json:\n${stdout}${stderr}`);
  }
}

describe("in TypeScript", () => {
  writeFileSync(join(consumerDir, "server.ts"), SERVER_CONSUMER);
  writeFileSync(join(consumerDir, "client.ts"), CLIENT_CONSUMER);
  writeFileSync(join(consumerDir, "widget.ts"), WIDGET_CONSUMER);
  const nodeTypes = { typeRoots: [join(projectRoot, "node_modules/@types")], types: ["node"] };

  it("type-checks a Node backend under module/moduleResolution NodeNext, with Node's types and no DOM", () => {
    typeCheck("server-nodenext", { module: "nodenext", moduleResolution: "nodenext", lib: ["es2023"], ...nodeTypes }, "server.ts");
  });

  it("type-checks the README's publisher example as written", () => {
    const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
    const example = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.includes("createPublisher("));
    expect(example).toBeDefined();
    writeFileSync(join(consumerDir, "readme-server.ts"), `${example}\nexport {};\n`);
    typeCheck("readme", { module: "nodenext", moduleResolution: "nodenext", lib: ["es2023"], ...nodeTypes }, "readme-server.ts");
  });

  it("type-checks a browser app under NodeNext with the DOM lib", () => {
    typeCheck("client-nodenext", { module: "nodenext", moduleResolution: "nodenext", lib: ["es2023", "dom"], types: [] }, "client.ts");
    typeCheck("widget-nodenext", { module: "nodenext", moduleResolution: "nodenext", lib: ["es2023", "dom"], types: [] }, "widget.ts");
  });

  it("type-checks both under bundler resolution", () => {
    typeCheck("bundler", { module: "esnext", moduleResolution: "bundler", lib: ["es2023", "dom"], types: [] }, "server.ts");
    typeCheck("bundler-client", { module: "esnext", moduleResolution: "bundler", lib: ["es2023", "dom"], types: [] }, "client.ts");
    typeCheck("bundler-widget", { module: "esnext", moduleResolution: "bundler", lib: ["es2023", "dom"], types: [] }, "widget.ts");
  });
});

// Packs edge-inbox as `npm publish` would (`npm pack`, whose prepack runs the
// build) and installs the tarball into a scratch project in a temp folder, the
// way a team adopting it would, offline: the package has no dependencies.
// The tests in this folder use that installed copy, never src/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The scratch project: package.json, and node_modules/edge-inbox from the tarball. */
    consumerDir: string;
    /** The tarball `npm pack` wrote. */
    tarball: string;
  }
}

const root = fileURLToPath(new URL("../..", import.meta.url));

/** npm itself, run on this Node: the one running `npm test`, or the first on PATH. */
function npm(args: string[], cwd: string): void {
  const cli = process.env.npm_execpath ?? "";
  const result = cli.endsWith(".js")
    ? spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" })
    : spawnSync("npm", args, { cwd, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

export default function setup(project: TestProject): () => void {
  const work = mkdtempSync(join(tmpdir(), "edge-inbox-package-"));
  const packDir = join(work, "pack");
  const consumerDir = join(work, "consumer");
  mkdirSync(packDir);
  mkdirSync(consumerDir);
  try {
    npm(["pack", "--pack-destination", packDir, "--silent"], root);
    const [tarball] = readdirSync(packDir).filter((name) => name.endsWith(".tgz"));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${packDir}`);
    writeFileSync(join(consumerDir, "package.json"), `${JSON.stringify({ name: "adopter", private: true, type: "module" }, null, 2)}\n`);
    npm(["install", join(packDir, tarball), "--offline", "--no-audit", "--no-fund", "--no-package-lock"], consumerDir);
    project.provide("consumerDir", consumerDir);
    project.provide("tarball", join(packDir, tarball));
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  return () => rmSync(work, { recursive: true, force: true });
}

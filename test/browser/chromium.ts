// Headless Debian Chromium driven by playwright-core, with a fresh profile per launch.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

/** Where tests put the screenshots a person looks at. */
export const OUTPUT_DIR = "test-output";

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "edge-inbox-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One browser for a test file: launched (and `prepare`d) before its first
 * test, closed after its last. Its context is read once the tests run.
 */
export function useChromium(prepare?: (context: BrowserContext) => Promise<void>): { readonly context: BrowserContext } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    mkdirSync(OUTPUT_DIR, { recursive: true });
    browser = await launchChromium();
    await prepare?.(browser.context);
  }, 60_000);
  afterAll(() => browser?.close());
  return {
    get context() {
      if (browser === undefined) throw new Error("the browser is launched in beforeAll: read its context inside a test");
      return browser.context;
    },
  };
}

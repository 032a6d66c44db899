// The images messages name as their icon, "from a CDN": served by the test,
// since the machine reaches no network.
import type { BrowserContext } from "playwright-core";

export const ICON_URL = "https://cdn.example/ana.svg";

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><circle cx="20" cy="20" r="20" fill="#0e9f6e"/></svg>';

export async function serveIcons(context: BrowserContext): Promise<void> {
  await context.route("https://cdn.example/**", (route) => route.fulfill({ contentType: "image/svg+xml", body: ICON }));
}

// The drop-in bell: `import "edge-inbox/widget"` (or `<script type="module"
// src="https://inbox.example.com/widget.js">`) defines <edge-inbox-bell>.
import { InboxBell } from "./bell-element";

export { InboxBell };

/** The tag name the bell is defined under by default. */
export const BELL_TAG = "edge-inbox-bell";

/** Define the bell under `name` (a page that wants another name, or to define it later); no-op where it is taken or there is no DOM. */
export function defineInboxBell(name = BELL_TAG): void {
  const registry = globalThis.customElements;
  if (registry === undefined || registry.get(name) !== undefined) return;
  // One class can be defined once: another name gets a subclass of its own.
  registry.define(name, name === BELL_TAG ? InboxBell : class extends InboxBell {});
}

defineInboxBell();

declare global {
  interface HTMLElementTagNameMap {
    "edge-inbox-bell": InboxBell;
  }
}

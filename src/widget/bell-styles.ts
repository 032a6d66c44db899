// The bell's look, inside its shadow root so the host page's CSS neither
// leaks in nor is touched. Colours are custom properties: light by default,
// dark with prefers-color-scheme or theme="dark", and each one overridable
// from the page (`edge-inbox-bell { --edge-inbox-accent: #7c3aed }`).

const DARK = `
  color-scheme: dark;
  --edge-inbox-accent: #6b9bff;
  --edge-inbox-badge: #f04438;
  --edge-inbox-surface: #1d2027;
  --edge-inbox-text: #e6e8ec;
  --edge-inbox-muted: #a0aabb;
  --edge-inbox-line: #323743;
  --edge-inbox-fresh: #1f2b45;
  --edge-inbox-hover: #262a33;
  --edge-inbox-shadow: 0 12px 32px rgb(0 0 0 / 0.5);`;

export const BELL_STYLES = `
:host {
  --edge-inbox-accent: #2f6fed;
  --edge-inbox-badge: #d92d20;
  --edge-inbox-surface: #ffffff;
  --edge-inbox-text: #1d2330;
  --edge-inbox-muted: #5d6b82;
  --edge-inbox-line: #e3e6eb;
  --edge-inbox-fresh: #eef4ff;
  --edge-inbox-hover: #f4f6f9;
  --edge-inbox-shadow: 0 12px 32px rgb(15 23 42 / 0.18);
  position: relative;
  display: inline-block;
  color: var(--edge-inbox-text);
  font: 14px / 1.4 system-ui, -apple-system, "Segoe UI", Roboto, "PingFang SC", "Noto Sans CJK SC", sans-serif;
}
:host([theme="dark"]) {
${DARK}
}
@media (prefers-color-scheme: dark) {
  :host(:not([theme="light"])) {
${DARK}
  }
}
[hidden] {
  display: none !important;
}
.bell {
  position: relative;
  display: grid;
  place-items: center;
  width: 2.5rem;
  height: 2.5rem;
  padding: 0;
  border: 0;
  border-radius: 50%;
  background: transparent;
  color: inherit;
  cursor: pointer;
}
.bell:hover,
.bell[aria-expanded="true"] {
  background: var(--edge-inbox-hover);
}
.bell svg {
  width: 1.4rem;
  height: 1.4rem;
}
.badge {
  position: absolute;
  top: 0;
  right: 0;
  min-width: 1.15rem;
  height: 1.15rem;
  padding: 0 0.3rem;
  border-radius: 999px;
  background: var(--edge-inbox-badge);
  color: #fff;
  font-size: 0.7rem;
  font-weight: 700;
  line-height: 1.15rem;
  text-align: center;
  box-shadow: 0 0 0 2px var(--edge-inbox-surface);
}
button:focus-visible,
a:focus-visible {
  outline: 2px solid var(--edge-inbox-accent);
  outline-offset: 2px;
}
.panel {
  position: absolute;
  z-index: 2147483000;
  top: calc(100% + 0.4rem);
  right: 0;
  width: min(24rem, calc(100vw - 1rem));
  max-height: min(32rem, 75vh);
  display: flex;
  flex-direction: column;
  background: var(--edge-inbox-surface);
  color: var(--edge-inbox-text);
  border: 1px solid var(--edge-inbox-line);
  border-radius: 12px;
  box-shadow: var(--edge-inbox-shadow);
  overflow: hidden;
  text-align: start;
}
.panel.start {
  right: auto;
  left: 0;
}
.head {
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 0.5rem;
  padding: 0.7rem 0.9rem;
  border-bottom: 1px solid var(--edge-inbox-line);
}
.head h2 {
  margin: 0;
  font-size: 1rem;
}
.mark-all {
  border: 0;
  background: transparent;
  color: var(--edge-inbox-accent);
  font: inherit;
  font-size: 0.85rem;
  padding: 0.2rem 0.35rem;
  border-radius: 6px;
  cursor: pointer;
}
.mark-all:disabled {
  color: var(--edge-inbox-muted);
  cursor: default;
}
.status {
  margin: 0;
  padding: 0.4rem 0.9rem;
  font-size: 0.8rem;
  color: var(--edge-inbox-muted);
  border-bottom: 1px solid var(--edge-inbox-line);
}
.list {
  list-style: none;
  margin: 0;
  padding: 0;
  overflow-y: auto;
  overscroll-behavior: contain;
}
.list li + li {
  border-top: 1px solid var(--edge-inbox-line);
}
.entry {
  display: flex;
  gap: 0.65rem;
  align-items: flex-start;
  width: 100%;
  padding: 0.7rem 0.9rem;
  border: 0;
  background: transparent;
  color: inherit;
  font: inherit;
  text-align: inherit;
  text-decoration: none;
  cursor: pointer;
}
.entry:hover {
  background: var(--edge-inbox-hover);
}
.entry:focus-visible {
  outline-offset: -2px;
}
li.fresh .entry {
  background: var(--edge-inbox-fresh);
}
.icon {
  flex: none;
  width: 2.25rem;
  height: 2.25rem;
  border-radius: 50%;
  object-fit: cover;
}
.text {
  flex: 1;
  min-width: 0;
  display: flex;
  flex-direction: column;
  gap: 0.1rem;
}
.title {
  font-weight: 500;
  overflow-wrap: anywhere;
}
li[data-read="false"] .title {
  font-weight: 700;
}
.body {
  color: var(--edge-inbox-muted);
  overflow-wrap: anywhere;
  display: -webkit-box;
  -webkit-line-clamp: 3;
  -webkit-box-orient: vertical;
  overflow: hidden;
}
.title + .body {
  font-size: 0.92em;
}
.meta {
  font-size: 0.78rem;
  color: var(--edge-inbox-muted);
}
.dot {
  flex: none;
  width: 0.55rem;
  height: 0.55rem;
  margin-top: 0.4rem;
  border-radius: 50%;
}
li[data-read="false"] .dot {
  background: var(--edge-inbox-accent);
}
.empty {
  margin: 0;
  padding: 2rem 1rem;
  text-align: center;
  color: var(--edge-inbox-muted);
}
.visually-hidden {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}
@media (max-width: 30rem) {
  /* On a phone the panel spans the screen under the bell, wherever the bell sits. */
  .panel,
  .panel.start {
    position: fixed;
    top: var(--edge-inbox-panel-top, 3.5rem);
    left: 0.5rem;
    right: 0.5rem;
    width: auto;
    max-height: calc(100vh - var(--edge-inbox-panel-top, 3.5rem) - 0.5rem);
  }
}
`;

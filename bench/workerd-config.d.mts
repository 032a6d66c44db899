// Types for workerd-config.mjs, so the Node-side tests can start the same workerd the bench does.
export interface Compatibility {
  readonly date: string;
  readonly flags: readonly string[];
}
export function readCompatibility(wranglerToml: string): Compatibility;
export function workerdConfig(options: {
  bundle: string;
  storageDir: string;
  port: number;
  compatibility: Compatibility;
  vars: Record<string, string>;
}): string;

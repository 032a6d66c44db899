// A workerd config for the built bundle (`npm run build` → dist/index.js):
// the same Worker and PushHub class wrangler deploys, served by workerd
// directly, without the `wrangler dev` proxy in front (see the README).
import { readFileSync } from "node:fs";

/** compatibility_date and compatibility_flags, read from wrangler.toml. */
export function readCompatibility(wranglerToml) {
  const text = readFileSync(wranglerToml, "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  if (date === undefined) throw new Error(`no compatibility_date in ${wranglerToml}`);
  const flagsText = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? "";
  const flags = [...flagsText.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
  return { date, flags };
}

const capnpString = (value) => JSON.stringify(String(value));

/**
 * The config text. `bundle` is dist/index.js's path relative to the config
 * file (capnp embeds only relative paths), `storageDir` an empty directory
 * for the hub's SQLite files, `vars` the text bindings.
 */
export function workerdConfig({ bundle, storageDir, port, compatibility, vars }) {
  const bindings = [
    `(name = "PUSH_HUB", durableObjectNamespace = "PushHub")`,
    ...Object.entries(vars).map(([name, value]) => `(name = ${capnpString(name)}, text = ${capnpString(value)})`),
  ];
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "hub-storage", disk = (path = ${capnpString(storageDir)}, writable = true)),
  ],
  sockets = [(name = "http", address = ${capnpString(`127.0.0.1:${port}`)}, http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [(name = "index.js", esModule = embed ${capnpString(bundle)})],
  compatibilityDate = ${capnpString(compatibility.date)},
  compatibilityFlags = [${compatibility.flags.map(capnpString).join(", ")}],
  bindings = [
    ${bindings.join(",\n    ")},
  ],
  durableObjectNamespaces = [(className = "PushHub", uniqueKey = "edge-inbox-bench-PushHub", enableSql = true)],
  durableObjectStorage = (localDisk = "hub-storage"),
);
`;
}

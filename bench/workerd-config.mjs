// A workerd config for one Worker module and its Durable Object class: the
// built bundle (`npm run build:worker` → .wrangler/dry-run/index.js) with
// the PushHub class wrangler deploys, or the workerd floor baseline, served
// by workerd directly, without the `wrangler dev` proxy (see bench/README.md).
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

/** The hub's Durable Object as wrangler.toml binds it. */
export const HUB_DURABLE_OBJECT = { binding: "PUSH_HUB", className: "PushHub" };

/**
 * The config text. `bundle` is the module's path relative to the config file
 * (capnp embeds only relative paths), `durableObject` its class and the
 * binding that reaches it (the hub's unless told), `storageDir` a directory for the objects' SQLite
 * files, `vars` the text bindings.
 */
export function workerdConfig({ bundle, durableObject = HUB_DURABLE_OBJECT, storageDir, port, compatibility, vars }) {
  const { binding, className } = durableObject;
  const bindings = [
    `(name = ${capnpString(binding)}, durableObjectNamespace = ${capnpString(className)})`,
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
  durableObjectNamespaces = [(className = ${capnpString(className)}, uniqueKey = ${capnpString(`edge-inbox-bench-${className}`)}, enableSql = true)],
  durableObjectStorage = (localDisk = "hub-storage"),
);
`;
}

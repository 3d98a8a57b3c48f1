// Runs one worker module in the real workerd binary: a generated config (one worker on
// 127.0.0.1:0 whose outbound network allows loopback), the port learned through
// --control-fd, one HTTP request, then workerd is stopped.
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { start, stop } from "./_children.mjs";

function _compatibilityDate(root) {
  try {
    const { version } = createRequire(join(root, "package.json"))("workerd/package.json");
    const m = /^\d+\.(\d{4})(\d{2})(\d{2})\./.exec(version);
    if (m) return `${m[1]}-${m[2]}-${m[3]}`;
  } catch {
    // fall through
  }
  return "2025-01-01";
}

/** Serves `module` in workerd and GETs `path` from it; resolves { status, body, log }. */
export async function fetchFromWorkerd({ root, binary, module, path, timeoutMs = 30_000 }) {
  const dir = dirname(module);
  const config = join(dir, "workerd.capnp");
  await writeFile(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = ${JSON.stringify(basename(module))}, esModule = embed ${JSON.stringify(basename(module))}) ],
  compatibilityDate = ${JSON.stringify(_compatibilityDate(root))},
);
`,
  );
  const child = start(binary, ["serve", config, "--control-fd", "3"], { cwd: dir, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  let log = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (log += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (log += d));
  try {
    const port = await new Promise((resolve, reject) => {
      let control = "";
      const timer = setTimeout(() => reject(new Error(`workerd reported no port within ${timeoutMs} ms:\n${log}`)), timeoutMs);
      child.stdio[3].setEncoding("utf8").on("data", (d) => {
        control += d;
        const event = control
          .split("\n")
          .map((l) => {
            try {
              return JSON.parse(l);
            } catch {
              return null;
            }
          })
          .find((e) => e?.event === "listen");
        if (event) {
          clearTimeout(timer);
          resolve(event.port);
        }
      });
      child.on("exit", (code) => reject(new Error(`workerd exited (${code}) before listening:\n${log}`)));
    });
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text(), log };
  } finally {
    await stop(child);
  }
}

/**
 * The body of `sockets-serve`, run inside the chosen runtime (Node, Deno or Bun): loads
 * the handler module, calls `serve()` from `@sockets/connect` (the runtime's branch is
 * picked by export conditions), prints the bound address, and stops cleanly on SIGINT or
 * SIGTERM. Only what every one of the three runtimes provides is used (`node:fs/promises`,
 * `node:path`, `node:url` and the `process` global, which Deno 2 has too), so this one
 * file runs unchanged on each.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { serve, runtime, type ListenOptions, type ServeOptions, type SocketApp } from "@sockets/connect";
import { parseServeArgs, type ServeArgs } from "./serve-args.js";

/**
 * Runs the server described by `argv` until SIGINT/SIGTERM; resolves with the exit code.
 *
 * @example
 * ```ts
 * import { runServe } from "./serve-main.js";
 * process.exitCode = await runServe(["app.mjs", "--listen", "127.0.0.1:8025"]);
 * ```
 */
export async function runServe(argv: readonly string[]): Promise<number> {
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (error) {
    console.error(`sockets-serve: ${(error as Error).message}`);
    return 2;
  }
  const moduleUrl = pathToFileURL(resolve(args.module)).href;
  let loaded: { default?: Partial<SocketApp> };
  try {
    loaded = (await import(moduleUrl)) as { default?: Partial<SocketApp> };
  } catch (error) {
    // A missing module, a syntax error, a throw at its top level: said in one line, exit 2.
    console.error(`sockets-serve: cannot load ${args.module}: ${(error as Error)?.message ?? String(error)}`);
    return 2;
  }
  const app = loaded.default;
  if (app === undefined || typeof app.connect !== "function") {
    console.error(`sockets-serve: ${args.module} has no default export with a connect(socket, env, ctx) function`);
    return 2;
  }
  const options: ServeOptions = { address: args.listen, closeTimeout: args.closeTimeout };
  if (args.tlsCert !== undefined && args.tlsKey !== undefined) {
    const tls: ListenOptions["tls"] = {
      cert: await readFile(args.tlsCert, "utf8"),
      key: await readFile(args.tlsKey, "utf8"),
      alpn: args.alpn,
    };
    Object.assign(options, { secureTransport: args.starttls ? "starttls" : "on", tls });
  }
  const server = serve(app as SocketApp, options);
  try {
    const { localAddress } = await server.opened;
    console.log(`sockets-serve: listening on ${localAddress} (${runtime}, ${args.module})`);
  } catch (error) {
    console.error(`sockets-serve: cannot listen on ${args.listen}: ${(error as Error).message}`);
    return 1;
  }
  const stopped = new Promise<string>((done) => {
    process.once("SIGINT", () => done("SIGINT"));
    process.once("SIGTERM", () => done("SIGTERM"));
  });
  const why = await Promise.race([stopped, server.closed.then(() => "closed")]);
  await server.close().catch(() => {});
  console.log(`sockets-serve: stopped (${why}); ${server.stats.accepted} connections served`);
  return 0;
}

/**
 * The command line of `sockets-serve`. Portable (no runtime APIs).
 *
 * @module
 */

/**
 * What `sockets-serve` was asked to do.
 *
 * @example
 * ```ts
 * import type { ServeArgs } from "./serve-args.js";
 * const args: ServeArgs = { module: "app.mjs", listen: "127.0.0.1:8025", runtime: "node", runtimeBin: undefined, tlsCert: undefined, tlsKey: undefined, starttls: false, alpn: [], closeTimeout: 10_000 };
 * ```
 */
export interface ServeArgs {
  module: string;
  listen: string;
  runtime: "node" | "deno" | "bun";
  runtimeBin: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  starttls: boolean;
  alpn: string[];
  closeTimeout: number;
}

/**
 * The help text.
 *
 * @example
 * ```ts
 * import { USAGE } from "./serve-args.js";
 * console.log(USAGE);
 * ```
 */
export const USAGE = `Usage: sockets-serve <module> [--listen host:port] [options]

Runs the connect(socket, env, ctx) handler of <module>'s default export (a Socket Worker)
for every TCP connection, on Node, Deno or Bun.

  --listen ADDR          where to listen (default 127.0.0.1:8025; port 0: any free port)
  --tls-cert FILE        PEM certificate chain: a TLS listener (with --tls-key)
  --tls-key FILE         PEM private key
  --starttls             with --tls-cert/--tls-key: plain TCP, socket.startTls() upgrades
  --alpn LIST            comma-separated ALPN protocols the TLS listener accepts
  --close-timeout MS     how long a stop waits for running handlers (default 10000)
  --runtime NAME         node (default), deno or bun
  --runtime-bin PATH     that runtime's binary (default: its npm package, then PATH)
  --help                 this text

It prints "sockets-serve: listening on <address>" once bound, and stops cleanly on SIGINT or SIGTERM.`;

/**
 * Parses the arguments after the command name; throws an `Error` whose message says what
 * is wrong.
 *
 * @example
 * ```ts
 * import { parseServeArgs } from "./serve-args.js";
 * parseServeArgs(["app.mjs", "--listen", "[::1]:0"]).listen; // "[::1]:0"
 * ```
 */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const args: ServeArgs = {
    module: "",
    listen: "127.0.0.1:8025",
    runtime: "node",
    runtimeBin: undefined,
    tlsCert: undefined,
    tlsKey: undefined,
    starttls: false,
    alpn: [],
    closeTimeout: 10_000,
  };
  const value = (i: number, flag: string): string => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) throw new Error(`${flag} needs a value\n\n${USAGE}`);
    return next;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    switch (arg) {
      case "--listen":
        args.listen = value(i++, arg);
        break;
      case "--tls-cert":
        args.tlsCert = value(i++, arg);
        break;
      case "--tls-key":
        args.tlsKey = value(i++, arg);
        break;
      case "--starttls":
        args.starttls = true;
        break;
      case "--alpn":
        args.alpn = value(i++, arg)
          .split(",")
          .filter((s) => s !== "");
        break;
      case "--close-timeout": {
        const ms = Number(value(i++, arg));
        // setTimeout's limit: a longer delay would fire at once.
        if (!Number.isInteger(ms) || ms < 0 || ms > 2 ** 31 - 1) {
          throw new Error(`--close-timeout "${argv[i]}": expected an integer number of milliseconds from 0 to 2147483647`);
        }
        args.closeTimeout = ms;
        break;
      }
      case "--runtime": {
        const name = value(i++, arg);
        if (name !== "node" && name !== "deno" && name !== "bun") throw new Error(`--runtime "${name}": expected node, deno or bun`);
        args.runtime = name;
        break;
      }
      case "--runtime-bin":
        args.runtimeBin = value(i++, arg);
        break;
      case "--help":
      case "-h":
        throw new Error(USAGE);
      default:
        if (arg.startsWith("-")) throw new Error(`unknown option ${arg}\n\n${USAGE}`);
        if (args.module !== "") throw new Error(`one module only (got ${args.module} and ${arg})`);
        args.module = arg;
    }
  }
  if (args.module === "") throw new Error(`no module given\n\n${USAGE}`);
  if ((args.tlsCert === undefined) !== (args.tlsKey === undefined)) throw new Error("--tls-cert and --tls-key go together");
  if (args.starttls && args.tlsCert === undefined)
    throw new Error("--starttls needs --tls-cert and --tls-key (the certificate startTls() presents)");
  if (args.alpn.length > 0 && args.tlsCert === undefined) throw new Error("--alpn needs --tls-cert and --tls-key");
  return args;
}

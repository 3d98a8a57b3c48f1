/**
 * The `default` branch of `@sockets/connect`: no export condition matched (a browser
 * bundle, an unknown runtime). Importing it never throws, so code that only *may*
 * connect can still be bundled; calling `connect()` throws a `SocketError` naming the
 * environment found and the supported runtimes.
 *
 * @module
 */
import { SocketError, type Connect } from "@sockets/core";
import { detectEnvironment } from "./_environment.js";

export { SocketError } from "@sockets/core";

const SUPPORTED = "node, deno, bun and workerd";

/**
 * Throws a `SocketError` (`EINVAL`) naming the environment found and the supported
 * runtimes: there is no TCP socket implementation here.
 *
 * @example
 * ```ts
 * import { connect, SocketError } from "@sockets/connect";
 * try {
 *   connect("127.0.0.1:5432");
 * } catch (error) {
 *   // In a browser: 'SocketError: connect() is not available in a browser (user agent "…"):
 *   // @sockets/connect supports node, deno, bun and workerd'
 *   if (error instanceof SocketError) console.log(error.message);
 * }
 * ```
 */
export const connect: Connect = function connect(): never {
  const found = detectEnvironment();
  const branch = found.supported;
  const hint =
    branch === null
      ? ""
      : `; it was resolved without the "${branch}" export condition (a bundle built for another platform?):` +
        ` build with that condition${branch === "workerd" ? "" : ` or import @sockets/${branch}`}`;
  throw new SocketError(`connect() is not available in ${found.description}: @sockets/connect supports ${SUPPORTED}${hint}`, {
    code: "EINVAL",
  });
};

/**
 * This branch's tag: no supported runtime was selected.
 *
 * @example
 * ```ts
 * import { runtime } from "@sockets/connect";
 * if (runtime === "unsupported") console.log("no TCP sockets here");
 * ```
 */
export const runtime = "unsupported" as const;

/**
 * The `default` branch of `@sockets/connect`: no export condition matched (a browser
 * bundle, an unknown runtime). Importing it never throws, so code that only *may*
 * connect can still be bundled; calling `connect()` throws a `SocketError` naming the
 * environment found and the supported runtimes.
 *
 * @module
 */
import { SocketError, type Connect, type Listen, type Serve, type Socket, type Udp } from "@sockets/core";
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
  throw unavailable("connect()");
};

/**
 * Throws like `connect()` here: no listening sockets in this environment.
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/connect";
 * try { listen("127.0.0.1:0"); } catch (error) { console.log(String(error)); }
 * ```
 */
export const listen: Listen = function listen(): never {
  throw unavailable("listen()");
};

/**
 * Throws like `connect()` here.
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/connect";
 * try { serve({ connect() {} }, { address: "127.0.0.1:0" }); } catch (error) { console.log(String(error)); }
 * ```
 */
export const serve: Serve = function serve(): never {
  throw unavailable("serve()");
};

/**
 * Throws like `connect()` here.
 *
 * @example
 * ```ts
 * import { udp } from "@sockets/connect";
 * try { udp({ remoteAddress: "127.0.0.1", remotePort: 53 }); } catch (error) { console.log(String(error)); }
 * ```
 */
export const udp: Udp = function udp(): never {
  throw unavailable("udp()");
};

/**
 * Throws like `connect()` here: there is no socket to adopt.
 *
 * @example
 * ```ts
 * import { adopt } from "@sockets/connect";
 * try { adopt({}); } catch (error) { console.log(String(error)); }
 * ```
 */
export function adopt(_socket: unknown): Socket {
  throw unavailable("adopt()");
}

function unavailable(what: string): SocketError {
  const found = detectEnvironment();
  const branch = found.supported;
  const hint =
    branch === null
      ? ""
      : `; it was resolved without the "${branch}" export condition (a bundle built for another platform?):` +
        ` build with that condition${branch === "workerd" ? "" : ` or import @sockets/${branch}`}`;
  return new SocketError(`${what} is not available in ${found.description}: @sockets/connect supports ${SUPPORTED}${hint}`, {
    code: "EINVAL",
  });
}

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

/**
 * `listen()`, `serve()` and `udp()` on workerd: a Worker cannot open a listening or a
 * datagram socket. Inbound TCP reaches the `connect(socket, env, ctx)` handler of the
 * worker's default export instead (a `sockets` entry in the workerd config); the pinned
 * workerd has no UDP for Workers (inbound UDP flows are proposed in cloudflare/workerd PR
 * #7130, not in 2026-11-17). Each throws a `SocketError` `EINVAL` that says so when
 * called; importing never throws.
 *
 * @module
 */
import { SocketError, type Listen, type Serve, type Udp } from "@sockets/core";

const INBOUND =
  'on workerd, inbound connections reach the connect(socket, env, ctx) handler of the worker\'s default export: declare a socket in the workerd config, e.g. sockets = [(name = "tcp", address = "127.0.0.1:8025", tcp = (), service = "main")]';

/**
 * Throws: see the module documentation.
 *
 * @example
 * ```ts
 * import { listen } from "@sockets/connect";
 * try { listen("127.0.0.1:0"); } catch (error) { console.log(String(error)); } // on workerd
 * ```
 */
export const listen: Listen = () => {
  throw new SocketError(`listen() is not available on workerd: ${INBOUND}`, { code: "EINVAL" });
};

/**
 * Throws: on workerd the module's default export *is* the server (see the module documentation).
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/connect";
 * try { serve({ connect() {} }, { address: "127.0.0.1:0" }); } catch (error) { console.log(String(error)); } // on workerd
 * ```
 */
export const serve: Serve = () => {
  throw new SocketError(`serve() is not available on workerd: ${INBOUND}`, { code: "EINVAL" });
};

/**
 * Throws: no UDP for Workers on the pinned workerd (cloudflare/workerd PR #7130).
 *
 * @example
 * ```ts
 * import { udp } from "@sockets/connect";
 * try { udp({ remoteAddress: "127.0.0.1", remotePort: 53 }); } catch (error) { console.log(String(error)); } // on workerd
 * ```
 */
export const udp: Udp = () => {
  throw new SocketError(
    "udp() is not available on workerd: Workers have no UDP sockets on this workerd (inbound UDP flows are proposed in cloudflare/workerd PR #7130)",
    { code: "EINVAL" },
  );
};

/**
 * The control channel of the server scenarios: asks the peer-server process's `driver`
 * (on the other core) to run the client side against the measured process's server on
 * `port`, and resolves when it is done (rejects with its error). `node:net`, so the same
 * code runs on Node, Deno and Bun; one small connection per measurement.
 *
 * @module
 */
import * as net from "node:net";

/** `job`: `{ mode: "churn", port, connections }` or `{ mode: "echo", port, bytes, chunk }`. */
export function drive(ctx, job) {
  return new Promise((resolve, reject) => {
    const control = net.connect({ host: ctx.host, port: ctx.ports.driver });
    let reply = "";
    control.setEncoding("utf8");
    control.on("data", (text) => (reply += text));
    control.once("error", reject);
    control.once("close", () => {
      if (reply.startsWith("ok ")) resolve(Number(reply.slice(3)));
      else reject(new Error(`Driver: ${reply.trim() || "closed without a reply"}`));
    });
    control.write(`${JSON.stringify(job)}\n`);
  });
}

/** The driver job of a server scenario for `ctx` and the server's `port`. */
export function jobFor(scenario, ctx, port) {
  if (scenario === "acceptChurn") return { mode: "churn", port, connections: ctx.connections };
  return { mode: "echo", port, bytes: ctx.bytes, chunk: ctx.chunk };
}

/** The port of a `"host:port"` / `"[v6]:port"` local address. */
export function portOf(localAddress) {
  return Number(String(localAddress).slice(String(localAddress).lastIndexOf(":") + 1));
}

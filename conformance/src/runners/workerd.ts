/**
 * Runner entry for workerd: a worker module whose `fetch` handler runs the cases and
 * streams the protocol lines back as the response body (NDJSON), so the CLI shows live
 * progress and every socket lives in the one request's I/O context.
 *
 * workerd reports unhandled rejections as the cancelable global `unhandledrejection`
 * event; the listener is installed once per isolate and forwards to the running request.
 *
 * @module
 */
import type { Socket } from "@sockets/core";
import { InboundHub } from "./inbound.js";
import type { Implementation } from "./run-cases.js";
import type { ConformanceCase } from "../cases/types.js";
import type { RunnerConfig } from "./protocol.js";
import { createCaseRunner, type CaseRunner } from "./run-cases.js";

/**
 * The worker the CLI serves: `export default createWorker({ connect }, cases, config)`.
 *
 * @example
 * ```ts
 * import { connect } from "cloudflare:sockets";
 * import { cases } from "@sockets/conformance/cases";
 * import { createWorker } from "./workerd.js";
 * export default createWorker({ connect }, cases, config);
 * ```
 */
export function createWorker(
  impl: Implementation,
  cases: readonly ConformanceCase[],
  config: RunnerConfig,
): { fetch(request: Request): Response; connect(socket: unknown): Promise<void> } {
  let active: CaseRunner | null = null;
  // workerd's own inbound socket (a `sockets` entry in the generated config) is the Socket
  // Worker of the `socket-worker` cases; its port comes with the /run request.
  const hub = new InboundHub();
  const adopt = impl.adopt;
  globalThis.addEventListener("unhandledrejection", (event: PromiseRejectionEvent) => {
    event.preventDefault();
    active?.stray(event.reason, undefined, event.promise);
  });
  globalThis.addEventListener("error", (event: ErrorEvent) => {
    event.preventDefault();
    active?.stray(event.error, "Uncaught exception");
  });
  return {
    connect(socket) {
      return hub.connect(adopt === undefined ? (socket as Socket) : adopt(socket));
    },
    fetch(request) {
      const url = new URL(request.url);
      if (url.pathname !== "/run") return new Response("Not found: use /run\n", { status: 404 });
      const inboundPort = url.searchParams.get("inbound");
      if (inboundPort !== null) hub.address = `127.0.0.1:${inboundPort}`;
      // Pull-driven: a line is handed over only when the HTTP layer asks for more, so the
      // lines before a crash have left the isolate when it dies.
      const encoder = new TextEncoder();
      const pending: string[] = [];
      let wake: (() => void) | null = null;
      let finished = false;
      const readable = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            while (pending.length === 0 && !finished) await new Promise<void>((resolve) => (wake = resolve));
            if (pending.length > 0) controller.enqueue(encoder.encode(pending.splice(0).join("")));
            else controller.close();
          },
        },
        { highWaterMark: 0 },
      );
      const push = (text: string | null): void => {
        if (text === null) finished = true;
        else pending.push(text);
        wake?.();
        wake = null;
      };
      const runner = createCaseRunner({
        cases,
        ...impl,
        inbound: inboundPort === null ? undefined : hub,
        config,
        runtime: config.runtime ?? "workerd",
        write: (line) => push(line + "\n"),
      });
      active = runner;
      runner.run().then(
        () => push(null),
        (error: unknown) => {
          push(`${String(error)}\n`);
          push(null);
        },
      );
      return new Response(readable, { headers: { "content-type": "application/x-ndjson" } });
    },
  };
}

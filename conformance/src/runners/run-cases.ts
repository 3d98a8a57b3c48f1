/**
 * The portable runner loop: runs the selected cases one after another inside whatever
 * runtime hosts it, each with a time limit, and reports every result as a protocol line.
 *
 * Runtime glue (one entry file per target) supplies only the output channel and forwards
 * unhandled rejections and uncaught errors to {@link CaseRunner.stray}. A stray is charged
 * to the case that owns it: the runner hands each case a `connect` that remembers which
 * case created each socket's `opened` and `closed` promises (reading them attaches no
 * handler), so an unhandled `closed` rejection that surfaces two cases later still fails
 * the case that created the socket. Any other stray is charged to the running case, or to
 * the last one. A stray for a case already reported is sent as a `late` event, which the
 * CLI turns into a failure. Portable: web globals only.
 *
 * @module
 */
import type { Connect, Listen, Listener, Serve, Socket, Udp } from "@sockets/core";
import type { InboundServer } from "../cases/types.js";
import { InboundHub } from "./inbound.js";
import type { CaseContext, ConformanceCase } from "../cases/types.js";
import { encodeEvent, summarizeError, type ErrorSummary, type RunnerConfig, type RunnerEvent } from "./protocol.js";

/**
 * Runs cases and reports them; created by a runtime's runner entry.
 *
 * @example
 * ```ts
 * import { createCaseRunner, type RunnerConfig } from "@sockets/conformance";
 * import { cases } from "@sockets/conformance/cases";
 * import { connect } from "@sockets/node";
 * declare const config: RunnerConfig; // baked in by the CLI
 * const runner = createCaseRunner({ cases, connect, config, runtime: "node v20", write: (line) => console.log(line) });
 * process.on("unhandledRejection", (reason, promise) => runner.stray(reason, undefined, promise));
 * await runner.run();
 * ```
 */
export interface CaseRunner {
  /** Runs every configured case, then writes the `done` event. */
  run(): Promise<void>;
  /**
   * Reports an unhandled rejection (pass the rejected `promise` when the runtime gives it)
   * or an uncaught error (`kind: "Uncaught exception"`).
   */
  stray(reason: unknown, kind?: string, promise?: Promise<unknown>): void;
}

/**
 * The implementation under test: `connect`, and `listen`/`udp` where it has them.
 *
 * @example
 * ```ts
 * import type { Implementation } from "@sockets/conformance";
 * import { connect, listen } from "@sockets/node";
 * const impl: Implementation = { connect, listen };
 * ```
 */
export interface Implementation {
  readonly connect: Connect;
  readonly listen?: Listen | undefined;
  readonly udp?: Udp | undefined;
  /** Runs a Socket Worker: the `socket-worker` cases use it (workerd passes `inbound` instead). */
  readonly serve?: Serve | undefined;
  /** Normalises a handler's socket (`@sockets/connect`'s `adopt`). */
  readonly adopt?: ((socket: unknown) => Socket) | undefined;
}

/**
 * What {@link createCaseRunner} needs.
 *
 * @example
 * ```ts
 * import type { CaseRunnerOptions } from "@sockets/conformance";
 * const options: Partial<CaseRunnerOptions> = { runtime: "deno 2.9.6" };
 * ```
 */
export interface CaseRunnerOptions {
  readonly cases: readonly ConformanceCase[];
  readonly connect: Connect;
  /** The implementation's `listen()`, if it has one: cases tagged `server` are skipped without it. */
  readonly listen?: Listen | undefined;
  /** The implementation's `udp()`, if it has one: cases tagged `udp` are skipped without it. */
  readonly udp?: Udp | undefined;
  /** The implementation's `serve()`: the runner starts one Socket Worker for the `socket-worker` cases. */
  readonly serve?: Serve | undefined;
  /** Normalises a handler's socket before the case sees it. */
  readonly adopt?: ((socket: unknown) => Socket) | undefined;
  /** A Socket Worker the host runs (workerd's inbound socket); takes precedence over `serve`. */
  readonly inbound?: InboundServer | undefined;
  readonly config: RunnerConfig;
  /** Name and version of the runtime, for the report. */
  readonly runtime: string;
  /** Writes one protocol line (the runner adds no newline). */
  readonly write: (line: string) => void | Promise<void>;
}

/**
 * Creates the runner loop for one runtime.
 *
 * @example
 * ```ts
 * import { createCaseRunner, type RunnerConfig } from "@sockets/conformance";
 * import { cases } from "@sockets/conformance/cases";
 * import { connect } from "@sockets/bun";
 * declare const config: RunnerConfig; // baked in by the CLI
 * await createCaseRunner({ cases, connect, config, runtime: "bun 1.4.5", write: console.log }).run();
 * ```
 */
export function createCaseRunner(options: CaseRunnerOptions): CaseRunner {
  const { cases, connect, config, runtime, write, listen, udp, serve } = options;
  let inbound: InboundServer | undefined = options.inbound;
  const byId = new Map(cases.map((c) => [c.id, c] as const));
  let current: { id: string; fail: (error: unknown) => void } | null = null;
  let last: string | null = null;
  const owners = new WeakMap<object, { id: string; key: string }>();
  const own = (id: string, target: Socket | Listener | { opened?: unknown; closed?: unknown }): void => {
    for (const key of ["opened", "closed"] as const) {
      const promise: unknown = (target as { opened?: unknown; closed?: unknown })[key];
      if (typeof promise === "object" && promise !== null) owners.set(promise, { id, key });
    }
    // The socket startTls() returns (client or server side) belongs to the same case.
    const startTls = (target as { startTls?: unknown }).startTls;
    if (typeof startTls === "function") {
      try {
        Object.defineProperty(target, "startTls", {
          value: (...args: unknown[]) => {
            const upgraded: unknown = startTls.apply(target, args);
            if (typeof upgraded === "object" && upgraded !== null) own(id, upgraded);
            return upgraded;
          },
          configurable: true,
          writable: true,
        });
      } catch {
        // A frozen socket: its upgrade is charged to the running case.
      }
    }
  };
  const tracked =
    (id: string): Connect =>
    (address, opts) => {
      const socket = connect(address, opts);
      own(id, socket);
      return socket;
    };
  // Listeners, and every socket they hand out, are charged to the case too.
  const trackedListen = (id: string): Listen | undefined =>
    listen === undefined
      ? undefined
      : (address, opts) => {
          const listener = listen(address, opts);
          own(id, listener);
          _onEachRead(listener.readable, (socket) => own(id, socket));
          return listener;
        };
  const trackedUdp = (id: string): Udp | undefined =>
    udp === undefined
      ? undefined
      : (opts) => {
          const socket = udp(opts);
          own(id, socket);
          return socket;
        };
  let output: Promise<void> = Promise.resolve();
  const emit = (event: RunnerEvent): Promise<void> => (output = output.then(() => write(encodeEvent(event))));

  const runOne = async (id: string): Promise<void> => {
    const c = byId.get(id);
    await emit({ type: "start", id });
    if (c === undefined) {
      await emit({ type: "result", id, status: "fail", ms: 0, error: { name: "Error", message: `Unknown case ID "${id}"` } });
      return;
    }
    const missing =
      (c.tags.includes("server") && listen === undefined ? "listen()" : null) ??
      (c.tags.includes("udp") && udp === undefined ? "udp()" : null) ??
      (c.tags.includes("socket-worker") && inbound === undefined ? "serve()" : null);
    if (missing !== null) {
      await emit({
        type: "result",
        id,
        status: "skip",
        ms: 0,
        error: { name: "Skipped", message: `the module under test exports no ${missing}` },
      });
      return;
    }
    const limit = c.timeout ?? config.defaultTimeout;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = _error("TimeoutError", `Case did not finish within ${limit} ms`);
        controller.abort(error);
        reject(error);
      }, limit);
    });
    const strayed = new Promise<never>((_, reject) => {
      current = { id, fail: reject };
    });
    const ctx: CaseContext = {
      connect: tracked(id),
      listen: trackedListen(id),
      udp: trackedUdp(id),
      peers: config.peers,
      privateCa: config.privateCa,
      serverTls: config.serverTls,
      inbound,
      signal: controller.signal,
    };
    const started = Date.now();
    let failure: ErrorSummary | undefined;
    try {
      await Promise.race([Promise.resolve().then(() => c.run(ctx)), timedOut, strayed]);
      // Rejections nobody handled surface a little after the case's last await.
      await Promise.race([new Promise((resolve) => setTimeout(resolve, config.settleMs)), strayed]);
    } catch (error) {
      failure = summarizeError(error);
      // A failed case often leaves promises behind (a read it never awaited): give their
      // rejections time to surface here rather than in the next case.
      const late = await Promise.race([
        new Promise<null>((resolve) => setTimeout(() => resolve(null), config.settleMs * 4)),
        strayed.catch((stray: unknown) => stray),
      ]);
      if (late !== null && late !== error) failure.message += `; then: ${summarizeError(late).message}`;
    } finally {
      clearTimeout(timer);
      current = null;
      last = id;
    }
    const ms = Date.now() - started;
    await emit(
      failure === undefined ? { type: "result", id, status: "pass", ms } : { type: "result", id, status: "fail", ms, error: failure },
    );
  };

  return {
    async run() {
      await emit({ type: "hello", runtime, total: config.ids.length });
      const worker =
        inbound === undefined && serve !== undefined && config.ids.some((id) => byId.get(id)?.tags.includes("socket-worker"))
          ? await _startWorker(serve, options.adopt)
          : null;
      inbound ??= worker?.hub;
      try {
        for (const id of config.ids) await runOne(id);
      } finally {
        await worker?.stop();
      }
      // Last chance for the final case's late rejections.
      await new Promise((resolve) => setTimeout(resolve, Math.max(100, config.settleMs * 4)));
      await emit({ type: "done" });
      await output;
    },
    stray(reason, kind = "Unhandled rejection", promise) {
      const summary = summarizeError(reason);
      const owner = promise === undefined ? undefined : owners.get(promise);
      const what = owner === undefined ? kind : `${kind} of \`socket.${owner.key}\``;
      const error = _error("StrayError", `${what}: ${summary.name}: ${summary.message}`);
      const id = owner?.id ?? current?.id ?? last;
      if (id === null) return;
      if (current !== null && current.id === id) current.fail(error);
      else void emit({ type: "late", id, error: summarizeError(error) });
    },
  };
}

/**
 * Calls `seen` with every chunk read from `stream`, however it is read: `getReader()`,
 * `values()` or `for await` (on the stream, or on a listener whose iterator is the
 * stream's). The stream's own methods are wrapped on the instance; nothing is read ahead,
 * so a pull-driven listener accepts exactly as it would unobserved. A stream whose
 * methods cannot be replaced is left alone (its sockets are charged to the running case).
 */
function _onEachRead<T>(stream: ReadableStream<T>, seen: (chunk: T) => void): void {
  const getReader = stream.getReader.bind(stream) as (options?: ReadableStreamGetReaderOptions) => ReadableStreamDefaultReader<T>;
  const reader = (options?: ReadableStreamGetReaderOptions): ReadableStreamDefaultReader<T> => {
    const r = getReader(options);
    const read = r.read.bind(r) as (...args: unknown[]) => Promise<ReadableStreamReadResult<T>>;
    r.read = (...args: unknown[]) =>
      read(...args).then((result) => {
        if (!result.done) seen(result.value);
        return result;
      });
    return r;
  };
  // The async iterator of a web stream, over the wrapped reader (same cancel semantics).
  const values = (options?: { preventCancel?: boolean }): AsyncIterableIterator<T> => {
    const r = reader();
    let finished = false;
    const release = (): void => {
      finished = true;
      r.releaseLock();
    };
    return {
      async next(): Promise<IteratorResult<T>> {
        if (finished) return { done: true, value: undefined };
        try {
          const result = await r.read();
          if (result.done) release();
          return result.done ? { done: true, value: undefined } : { done: false, value: result.value };
        } catch (error) {
          release();
          throw error;
        }
      },
      async return(value?: unknown): Promise<IteratorResult<T>> {
        if (!finished) {
          finished = true;
          const cancelling = options?.preventCancel === true ? undefined : r.cancel(value);
          r.releaseLock();
          await cancelling;
        }
        return { done: true, value: value as T };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  try {
    Object.defineProperties(stream, {
      getReader: { value: reader, configurable: true, writable: true },
      values: { value: values, configurable: true, writable: true },
      [Symbol.asyncIterator]: { value: values, configurable: true, writable: true },
    });
  } catch {
    // A frozen stream: left as it is.
  }
}

/** One Socket Worker for the run, through the module's own `serve()`. */
async function _startWorker(
  serve: Serve,
  adopt: ((socket: unknown) => Socket) | undefined,
): Promise<{ hub: InboundHub; stop(): Promise<void> }> {
  const hub = new InboundHub();
  const server = serve(
    { connect: (socket) => hub.connect(adopt === undefined ? socket : adopt(socket)) },
    // Handler errors are the cases' business (recorded by the hub), not the console's.
    { address: "127.0.0.1:0", onError: () => {}, closeTimeout: 1_000 },
  );
  hub.address = (await server.opened).localAddress;
  return { hub, stop: () => server.close().catch(() => {}) };
}

function _error(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

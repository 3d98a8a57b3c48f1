/**
 * `serve(app, options)`: a Socket Worker's `connect` handler, run outside workerd.
 *
 * workerd calls `connect(socket, env, ctx)` on a module's default export for each inbound
 * connection (a `sockets` entry in its config). `serve` does the same over `listen()`, with
 * workerd's rules so one handler module behaves alike everywhere:
 *
 * - Handlers run **concurrently**: accepting never waits for a handler.
 * - The socket lives as long as the handler's promise: when it settles, the socket is
 *   closed (gracefully after a fulfilled handler: accepted writes are flushed; with the
 *   error after a throw). A handler must therefore await its work, as on workerd.
 * - A handler that throws (or rejects) closes its socket with that error and is reported
 *   to `onError` (default: `console.error`), never as an unhandled rejection; other
 *   connections are unaffected.
 * - `ctx.waitUntil(promise)` keeps the server's graceful stop waiting for `promise` too.
 * - `allowHalfOpen` defaults to `true` (unlike `listen()`): workerd's inbound sockets let a
 *   handler answer after the client's FIN, and a handler must behave the same everywhere.
 * - **Graceful stop**: `close()` stops accepting at once, then waits for running handlers
 *   (and `waitUntil` promises) up to `closeTimeout` (default 10 s); sockets whose handler
 *   is still running then are closed with a `SocketError` `ECLOSED`, and `closed` resolves.
 *
 * @module
 */
import type { Listen, ListenOptions, ListenerInfo, ListenerStats } from "./listener-types.js";
import { badOption, integerOption } from "./_option-checks.js";
import { describe } from "./address.js";
import { SocketError } from "./socket-error.js";
import type { AnySocketAddress, Socket } from "./types.js";

/**
 * The context a handler gets as its third argument (the part of workerd's that means
 * something off workerd).
 *
 * @example
 * ```ts
 * import type { SocketContext } from "@sockets/core";
 * declare const ctx: SocketContext;
 * ctx.waitUntil(fetch("http://127.0.0.1:8080/audit", { method: "POST" }));
 * ```
 */
export interface SocketContext {
  /** Keeps a graceful stop waiting for `promise` (its rejection is reported, not thrown). */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * A Socket Worker module's default export: `connect` is called once per connection.
 *
 * @example
 * ```ts
 * import type { SocketApp } from "@sockets/core";
 * const app: SocketApp = {
 *   async connect(socket) {
 *     await socket.readable.pipeTo(socket.writable); // echo until the client closes
 *   },
 * };
 * export default app;
 * ```
 */
export interface SocketApp<Env = unknown> {
  connect(socket: Socket, env: Env, ctx: SocketContext): void | Promise<void>;
}

/**
 * Options for `serve()`: where to listen, every `listen()` option, and the server's own.
 *
 * @example
 * ```ts
 * import type { ServeOptions } from "@sockets/core";
 * const options: ServeOptions = { address: "127.0.0.1:8025", closeTimeout: 5_000, onError: (e) => console.error(e) };
 * ```
 */
export interface ServeOptions<Env = unknown> extends ListenOptions {
  /** Where to listen (any form `listen()` takes; port 0 lets the system pick). */
  address: AnySocketAddress;
  /** The handler's second argument (workerd's bindings); `{}` by default. */
  env?: Env;
  /** Milliseconds `close()` waits for running handlers before closing their sockets (default 10 000). */
  closeTimeout?: number;
  /** Called with a handler's error (default: `console.error`). */
  onError?: (error: unknown, socket: Socket) => void;
}

/**
 * Counters of a server: the listener's, and its handlers'.
 *
 * @example
 * ```ts
 * import type { ServerStats } from "@sockets/core";
 * const busy = (s: ServerStats) => s.active > 100;
 * ```
 */
export interface ServerStats extends ListenerStats {
  /** Handlers running now. */
  readonly active: number;
  /** Handlers that threw or rejected. */
  readonly errors: number;
}

/**
 * A running server: the listener (whose readable `serve` reads) plus its handlers.
 *
 * @example
 * ```ts
 * import { serve } from "@sockets/node";
 * await using server = serve({ async connect(socket) { await socket.readable.pipeTo(socket.writable); } }, { address: "127.0.0.1:0" });
 * console.log((await server.opened).localAddress);
 * ```
 */
export interface Server {
  readonly opened: Promise<ListenerInfo>;
  /** Resolves once the listener closed and every handler finished (or `closeTimeout` passed). */
  readonly closed: Promise<void>;
  readonly stats: ServerStats;
  /** Stops accepting, waits for running handlers up to `closeTimeout`, returns `closed`. Idempotent. */
  close(reason?: unknown): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The shape of a `serve()` function.
 *
 * @example
 * ```ts
 * import type { Serve } from "@sockets/core";
 * import { serve } from "@sockets/node";
 * const impl: Serve = serve;
 * ```
 */
export type Serve = <Env = unknown>(app: SocketApp<Env>, options: ServeOptions<Env>) => Server;

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;
/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const noop = (): void => {};

/**
 * Builds `serve()` over a runtime's `listen()`.
 *
 * @example
 * ```ts
 * import { createServe, type Listen } from "@sockets/core";
 * declare const listen: Listen;
 * export const serve = createServe(listen);
 * ```
 */
export function createServe(listen: Listen): Serve {
  return function serve<Env = unknown>(app: SocketApp<Env>, options: ServeOptions<Env>): Server {
    if (typeof app !== "object" || app === null || typeof (app as Partial<SocketApp<Env>>).connect !== "function") {
      const hint = typeof app === "function" ? " (a function was given: pass the object that has it, e.g. { connect })" : "";
      throw new SocketError(
        `serve() needs an app whose connect(socket, env, ctx) is a function (a Socket Worker's default export), got ${describe(app)}${hint}`,
        { code: "EINVAL" },
      );
    }
    if (typeof options !== "object" || options === null) {
      throw new SocketError(`serve() needs options with an address, e.g. { address: "127.0.0.1:0" }, got ${describe(options)}`, {
        code: "EINVAL",
      });
    }
    // Up to setTimeout's limit: a larger delay fires at once (Node, Bun: TimeoutOverflowWarning).
    const closeTimeout = integerOption("closeTimeout", options.closeTimeout, 0, MAX_TIMER_MS, DEFAULT_CLOSE_TIMEOUT_MS);
    const onError = options.onError ?? reportToConsole;
    if (typeof onError !== "function") throw badOption("onError", onError, "a function (error, socket) => void");
    // workerd's inbound sockets are half-open: a handler may still write after the client's
    // FIN (measured on 2026-11-17). The same default here keeps one handler portable.
    const listener = listen(options.address, { allowHalfOpen: true, ...options });
    return new RunningServer(listener, app, options.env ?? ({} as Env), closeTimeout, onError);
  };
}

function reportToConsole(error: unknown): void {
  console.error("serve(): a connect handler failed:", error);
}

class RunningServer<Env> implements Server {
  readonly opened: Promise<ListenerInfo>;
  readonly closed: Promise<void>;
  readonly #listener: ReturnType<Listen>;
  readonly #running = new Map<Socket, Promise<void>>();
  readonly #waitUntil = new Set<Promise<unknown>>();
  #errors = 0;
  #closing: Promise<void> | null = null;
  readonly #closeTimeout: number;
  readonly #onError: (error: unknown, socket: Socket) => void;

  constructor(
    listener: ReturnType<Listen>,
    app: SocketApp<Env>,
    env: Env,
    closeTimeout: number,
    onError: (error: unknown, socket: Socket) => void,
  ) {
    this.#listener = listener;
    this.#closeTimeout = closeTimeout;
    this.#onError = onError;
    this.opened = listener.opened;
    const accepting = this.#accept(app, env);
    // `closed`: the listener stopped (closed or failed) and every handler is done.
    this.closed = accepting.then(() => this.close());
    this.closed.catch(noop);
  }

  get stats(): ServerStats {
    return { ...this.#listener.stats, active: this.#running.size, errors: this.#errors };
  }

  close(reason?: unknown): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const stopped = this.#listener.close(reason);
    this.#closing = stopped.then(
      () => this.#drain(),
      async (error: unknown) => {
        await this.#drain();
        throw error;
      },
    );
    this.#closing.catch(noop);
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #accept(app: SocketApp<Env>, env: Env): Promise<void> {
    const reader = this.#listener.readable.getReader();
    for (;;) {
      let next: ReadableStreamReadResult<Socket>;
      try {
        next = await reader.read();
      } catch {
        return; // the listener failed or was closed with a reason: `closed` says which
      }
      if (next.done) return;
      this.#handle(app, env, next.value);
    }
  }

  #handle(app: SocketApp<Env>, env: Env, socket: Socket): void {
    const ctx: SocketContext = {
      waitUntil: (promise) => {
        const tracked = Promise.resolve(promise).then(noop, (error: unknown) => this.#report(error, socket));
        this.#waitUntil.add(tracked);
        void tracked.then(() => this.#waitUntil.delete(tracked));
      },
    };
    const run = Promise.resolve()
      .then(() => app.connect(socket, env, ctx))
      .then(
        () => socket.close(),
        (error: unknown) => {
          this.#report(error, socket);
          // `close(undefined)` would be a graceful close: a thrown `undefined` is a failure too.
          return socket.close(error ?? new SocketError("The connect handler failed (it threw undefined)", { code: "ECLOSED" }));
        },
      )
      .catch(noop) // the socket's own failure (a reset) is the client's business, not the server's
      .finally(() => this.#running.delete(socket));
    this.#running.set(socket, run);
  }

  #report(error: unknown, socket: Socket): void {
    this.#errors++;
    try {
      this.#onError(error, socket);
    } catch {
      // A failing error reporter must not break the server.
    }
  }

  /**
   * Waits for running handlers and `ctx.waitUntil()` promises up to the timeout (including
   * those registered while it waits: a handler may call `waitUntil` as it finishes), then
   * aborts the sockets of what is left.
   */
  async #drain(): Promise<void> {
    const pending = (): Promise<unknown>[] => [...this.#running.values(), ...this.#waitUntil];
    if (pending().length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.#closeTimeout)));
    let outcome: "done" | "timeout" = "done";
    for (let waiting = pending(); waiting.length > 0 && outcome === "done"; waiting = pending()) {
      outcome = await Promise.race([Promise.all(waiting).then(() => "done" as const), timedOut]);
    }
    clearTimeout(timer);
    if (outcome === "done") return;
    const stopped = new SocketError(`The server closed before the handler finished (closeTimeout ${this.#closeTimeout} ms)`, {
      code: "ECLOSED",
    });
    // The handlers themselves cannot be stopped; their sockets are (aborted, even one whose
    // graceful close still waits for a client that does not read), so their reads and
    // writes fail from here on and they are left to finish on their own.
    for (const socket of this.#running.keys()) void socket.close(stopped).catch(noop);
  }
}

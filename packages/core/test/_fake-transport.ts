/**
 * A scripted fake runtime for core's Socket tests: `createConnect` runs over it with no
 * network. Every dial waits until the test opens or fails it; writes, pulls and TLS
 * handshakes can be held in flight and settled by the test; everything core calls on a
 * transport is logged in order.
 */
import {
  createConnect,
  deferred,
  type Cancellation,
  type Connect,
  type OpenRequest,
  type OpenTransport,
  type ServerTlsRequest,
  type SocketInfo,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "../src/index.js";

const decoder = new TextDecoder();

/** A promise the test settles, remembered with what it was made for. */
interface Held<T = void> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T) => void;
  readonly reject: (reason: unknown) => void;
}

function held<T = void>(): Held<T> {
  const [promise, resolve, reject] = deferred<T>();
  return { promise, resolve, reject };
}

/** A `startTls()` call waiting for the test to finish (`succeed`) or fail the handshake. */
export interface HeldHandshake {
  readonly tls: TlsRequest | ServerTlsRequest;
  readonly events: TransportEvents;
  readonly cancel: Cancellation;
  /** Completes the handshake with a new fake transport (returned) over `events`. */
  succeed(info?: Partial<SocketInfo>): FakeTransport;
  fail(error: unknown): void;
}

/** One open fake connection: what core did to it, and handles to drive its events. */
export class FakeTransport implements Transport {
  readonly info: SocketInfo;
  /** Every call core made, in order: `pull`, `pause`, `write <text>`, `shutdown`, `close`, `abort`, `startTls`. */
  readonly calls: string[] = [];
  /** Text of every chunk handed to `write()`. */
  readonly written: string[] = [];
  /** `write()` returns a promise the test settles (`heldWrites`) instead of completing at once. */
  holdWrites = false;
  readonly heldWrites: Held[] = [];
  /** A pull runtime (Deno): `pull()` returns a promise the test settles with `deliver`/`finish`. */
  readonly pullMode: boolean;
  /** The pull in flight (pull mode) and the view core passed to it. */
  heldPull: (Held & { readonly view: Uint8Array | null }) | null = null;
  readonly handshakes: HeldHandshake[] = [];
  events: TransportEvents;

  constructor(events: TransportEvents, options: { pullMode?: boolean; info?: Partial<SocketInfo> } = {}) {
    this.events = events;
    this.pullMode = options.pullMode ?? false;
    this.info = { remoteAddress: "127.0.0.1:5432", localAddress: "127.0.0.1:40000", alpn: null, ...options.info };
  }

  pull(view: Uint8Array | null): void | Promise<void> {
    this.calls.push("pull");
    if (!this.pullMode) return undefined;
    if (this.heldPull !== null) throw new Error("core started a second pull while one was in flight");
    const pending = { ...held(), view };
    this.heldPull = pending;
    return pending.promise;
  }

  pause(): void {
    this.calls.push("pause");
  }

  write(bytes: Uint8Array): void | Promise<void> {
    const text = decoder.decode(bytes);
    this.calls.push(`write ${text}`);
    this.written.push(text);
    if (!this.holdWrites) return undefined;
    const pending = held();
    this.heldWrites.push(pending);
    return pending.promise;
  }

  shutdown(): void {
    this.calls.push("shutdown");
  }

  close(): void {
    this.calls.push("close");
  }

  abort(): void {
    this.calls.push("abort");
  }

  startTls(tls: TlsRequest | ServerTlsRequest, events: TransportEvents, cancel: Cancellation): Promise<Transport> {
    this.calls.push("startTls");
    const pending = held<Transport>();
    const pullMode = this.pullMode;
    this.handshakes.push({
      tls,
      events,
      cancel,
      succeed(info) {
        const transport = new FakeTransport(events, { pullMode, info });
        pending.resolve(transport);
        return transport;
      },
      fail: pending.reject,
    });
    return pending.promise;
  }

  /** Push mode: bytes arrive (`events.data`), whether or not core asked. */
  push(text: string): void {
    this.events.data(new TextEncoder().encode(text));
  }

  /**
   * Pull mode: the read in flight gets `text` — into core's view when it passed one (the
   * chunk is then a view over that buffer, as Deno's BYOB read) — and settles.
   */
  deliver(text: string): void {
    const pending = this.#takePull();
    const bytes = new TextEncoder().encode(text);
    const view = pending.view;
    if (view !== null) {
      view.set(bytes);
      this.events.data(new Uint8Array(view.buffer, view.byteOffset, bytes.byteLength));
    } else {
      this.events.data(bytes);
    }
    pending.resolve();
  }

  /** Pull mode: the read in flight settles without data (after an `end` or `error`, or a close). */
  finishPull(): void {
    this.#takePull().resolve();
  }

  #takePull(): Held & { readonly view: Uint8Array | null } {
    const pending = this.heldPull;
    if (pending === null) throw new Error("no pull in flight");
    this.heldPull = null;
    return pending;
  }
}

/** A `open()` call core made, waiting for the test. */
export interface Dial {
  readonly request: OpenRequest;
  readonly events: TransportEvents;
  /** Completes the dial: a new fake transport (returned) over core's events. */
  succeed(options?: { pullMode?: boolean; info?: Partial<SocketInfo> }): FakeTransport;
  fail(error: unknown): void;
}

/** A fake runtime: `connect` over an `OpenTransport` whose dials the test completes. */
export interface FakeRuntime {
  readonly connect: Connect;
  readonly dials: Dial[];
  /** The only dial so far (fails the test if there is not exactly one). */
  dial(): Dial;
}

export function fakeRuntime(): FakeRuntime {
  const dials: Dial[] = [];
  const open: OpenTransport = (request, events) => {
    const pending = held<Transport>();
    dials.push({
      request,
      events,
      succeed(options) {
        const transport = new FakeTransport(events, options);
        pending.resolve(transport);
        return transport;
      },
      fail: pending.reject,
    });
    return pending.promise;
  };
  return {
    connect: createConnect(open),
    dials,
    dial() {
      if (dials.length !== 1) throw new Error(`expected one dial, got ${dials.length}`);
      return dials[0]!;
    },
  };
}

/** Lets every queued microtask and one macrotask run. */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Whether `promise` has settled by now (after pending microtasks ran), and how. Never
 * leaves a rejection unhandled.
 */
export async function state(promise: Promise<unknown>): Promise<"pending" | "fulfilled" | "rejected"> {
  let result: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => (result = "fulfilled"),
    () => (result = "rejected"),
  );
  await tick();
  return result;
}

/** The reason `promise` rejects with (throws if it fulfils). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection, but the promise fulfilled");
}

/**
 * A scripted stand-in for workerd's `cloudflare:sockets`, with the behaviours observed on
 * workerd 2026-11-17 that the wrapper normalises: `close()` returns a new promise each
 * time, `opened`/`closed` reject with two different plain `Error`s, `opened` still
 * resolves after an early `close()`, `SocketInfo` has only `remoteAddress`, `upgraded`
 * stays false. Each test drives it through `lastSocket()`.
 *
 * @module
 */
import type { CloudflareSocket, CloudflareSocketInfo, CloudflareSocketOptions } from "cloudflare:sockets";

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** One fake native socket and the handles a test drives it with. */
export class FakeSocket implements CloudflareSocket {
  /** Feeds the native readable: `enqueue` a chunk, `close()` for FIN, `error(e)` for a read error. */
  readController!: ReadableStreamDefaultController<Uint8Array>;
  readonly readable: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>({
    start: (controller) => {
      this.readController = controller;
    },
  });
  readonly writable: WritableStream<ArrayBufferView | ArrayBuffer | string> = new WritableStream();
  readonly upgraded = false;
  readonly #opened = deferred<CloudflareSocketInfo>();
  readonly #closed = deferred<void>();
  readonly opened: Promise<CloudflareSocketInfo> = this.#opened.promise;
  readonly closed: Promise<void> = this.#closed.promise;
  closeCalls = 0;
  startTlsCalls: ({ expectedServerHostname?: string } | undefined)[] = [];
  upgradedTo: FakeSocket | null = null;

  constructor(
    readonly address: string | { hostname: string; port: number },
    readonly options: CloudflareSocketOptions | undefined,
    readonly secureTransport: "off" | "on" | "starttls" = options?.secureTransport ?? "off",
  ) {}

  open(remoteAddress: string): void {
    this.#opened.resolve({ remoteAddress });
  }

  /** workerd's failure: two different Error objects with the same message. */
  fail(message: string): void {
    this.#opened.reject(new Error(message));
    this.#closed.reject(new Error(message));
  }

  /** workerd's order on a reset: `closed` resolves, then the pending read rejects. */
  reset(): void {
    this.#closed.resolve();
    queueMicrotask(() => this.readController.error(new Error("Network connection lost.")));
  }

  close(): Promise<void> {
    this.closeCalls += 1;
    // workerd rejects a pending read with a TypeError when the socket is closed.
    try {
      this.readController.error(new TypeError("This socket has been closed."));
    } catch {
      // already closed
    }
    this.#closed.resolve();
    return this.#closed.promise.then(() => undefined);
  }

  startTls(options?: { expectedServerHostname?: string }): CloudflareSocket {
    if (this.secureTransport !== "starttls")
      throw new TypeError("The `secureTransport` socket option must be set to 'starttls' for startTls to be used.");
    if (this.startTlsCalls.length > 0)
      throw new TypeError("startTls has already been called on this socket, or the socket was transferred over RPC.");
    this.startTlsCalls.push(options);
    this.upgradedTo = new FakeSocket(this.address, { ...this.options, secureTransport: "on" });
    sockets.push(this.upgradedTo);
    this.#closed.resolve();
    return this.upgradedTo;
  }
}

const sockets: FakeSocket[] = [];

/** The sockets created so far, oldest first. */
export function createdSockets(): readonly FakeSocket[] {
  return sockets;
}

/** The most recently created socket. */
export function lastSocket(): FakeSocket {
  const socket = sockets.at(-1);
  if (socket === undefined) throw new Error("no fake socket was created");
  return socket;
}

export function connect(address: string | { hostname: string; port: number }, options?: CloudflareSocketOptions): CloudflareSocket {
  const socket = new FakeSocket(address, options);
  sockets.push(socket);
  return socket;
}

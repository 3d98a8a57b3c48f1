/**
 * The spec `Socket` over a `cloudflare:sockets` socket. What workerd does differently,
 * and what this wrapper does about it (checked against workerd 2026-11-17):
 *
 * - `opened` and `closed` reject with two different plain `Error`s for one failure →
 *   one `SocketError` (code from the message where it says, `cause` = the original) rejects
 *   both.
 * - `close()` returns a new promise each call → it returns the very `closed` object, and
 *   is idempotent.
 * - `close(reason)` while connecting leaves `opened` to resolve later → `opened` rejects
 *   with `reason` (or a `SocketError` `ECLOSED` when none is given).
 * - `SocketInfo` has no `alpn` and usually no `localAddress` → both are `null`.
 * - `upgraded` stays `false` on the old socket after `startTls()` → tracked here.
 * - no `signal` option → emulated: an abort rejects `opened`/`closed` with a `SocketError`
 *   `EABORTED` (cause = the abort reason) and closes the native socket.
 * - `startTls()` misuse throws a plain `TypeError` → the same `SocketError`s as elsewhere.
 * - a reset resolves `closed`, then errors the pending read; `close()` rejects a pending read
 *   with a `TypeError` → the readable is a thin byte stream in front of workerd's
 *   (`_workerd-readable.ts`: chunks handed on, not copied) that fails with the socket's
 *   `SocketError` and rejects `closed` with it, ends on `close()` and errors with
 *   `close(reason)`'s reason.
 *
 * `writable` is workerd's own, untouched: wrapping it would queue writes where workerd's
 * `startTls()` cannot flush them. So write errors stay workerd's, writes after
 * `close(reason)` do not reject with `reason`, a writer taken before `startTls()` keeps
 * writing, and `writer.ready` never reports backpressure; the conformance expectations
 * list each gap.
 *
 * @module
 */
import type { CloudflareSocket, CloudflareSocketInfo } from "cloudflare:sockets";
import {
  assertCanStartTls,
  deferred,
  signalAborted,
  SocketError,
  type SecureTransportKind,
  type Socket,
  type SocketInfo,
} from "@sockets/core";
import { workerdSocketError } from "./_workerd-errors.js";
import { WorkerdReadable } from "./_workerd-readable.js";

/**
 * What a wrapper needs besides the native socket.
 *
 * @example
 * ```ts
 * import type { WorkerdSocketInit } from "./_workerd-socket.js";
 * const init: WorkerdSocketInit = { secureTransport: "starttls", authority: "127.0.0.1:5432", sni: null, signal: undefined };
 * ```
 */
export interface WorkerdSocketInit {
  readonly secureTransport: SecureTransportKind;
  /** `host:port` (IPv6 in brackets), for error messages. */
  readonly authority: string;
  /** The `sni` option: the name a later `startTls()` verifies and sends. */
  readonly sni: string | null;
  readonly signal: AbortSignal | undefined;
  /**
   * For a TLS socket made by `startTls()`: the plain socket's `opened`. Once it has
   * resolved, the TCP connection is up, so a failure before this socket's `opened` is the
   * TLS handshake's (`ETLS`), whatever workerd's message says.
   */
  readonly plainOpened?: Promise<unknown>;
}

const noop = (): void => {};

/** A deferred whose promise is marked handled at once (the spec's "handled" flag). */
function _handled<T>(): [Promise<T>, (value: T) => void, (reason: unknown) => void] {
  const made = deferred<T>();
  made[0].catch(noop);
  return made;
}

function _info(info: CloudflareSocketInfo | undefined): SocketInfo {
  return { remoteAddress: info?.remoteAddress ?? null, localAddress: info?.localAddress ?? null, alpn: info?.alpn ?? null };
}

/**
 * The spec `Socket` over a native workerd socket; see the module documentation.
 *
 * @example
 * ```ts
 * import { connect as cfConnect } from "cloudflare:sockets";
 * import { WorkerdSocket } from "./_workerd-socket.js";
 * const socket = new WorkerdSocket(cfConnect("127.0.0.1:7"), {
 *   secureTransport: "off", authority: "127.0.0.1:7", sni: null, signal: undefined,
 * });
 * await socket.close();
 * ```
 */
export class WorkerdSocket implements Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<ArrayBufferView | ArrayBuffer | string>;
  readonly opened: Promise<SocketInfo>;
  readonly closed: Promise<void>;
  readonly secureTransport: SecureTransportKind;

  readonly #native: CloudflareSocket;
  readonly #read: WorkerdReadable;
  readonly #init: WorkerdSocketInit;
  readonly #resolveOpened: (info: SocketInfo) => void;
  readonly #rejectOpened: (reason: unknown) => void;
  readonly #resolveClosed: () => void;
  readonly #rejectClosed: (reason: unknown) => void;
  #isOpen = false;
  #plainUp = false;
  #closeCalled = false;
  #closedWhileOpening = false;
  #upgraded = false;
  #failure: SocketError | null = null;
  #unlisten: () => void = noop;

  constructor(native: CloudflareSocket, init: WorkerdSocketInit) {
    this.#native = native;
    this.#init = init;
    this.secureTransport = init.secureTransport;
    this.#read = new WorkerdReadable(native.readable, (error) => this.#fail(error));
    this.readable = this.#read.stream;
    this.writable = native.writable;
    [this.opened, this.#resolveOpened, this.#rejectOpened] = _handled<SocketInfo>();
    [this.closed, this.#resolveClosed, this.#rejectClosed] = _handled<void>();
    native.opened.then(
      (info) => {
        this.#isOpen = true;
        this.#resolveOpened(_info(info));
      },
      (error: unknown) => this.#fail(error),
    );
    native.closed.then(
      // A reset resolves workerd's `closed` just before it fails the pending read.
      () => this.#read.idle().then(() => this.#finish()),
      (error: unknown) => this.#fail(error),
    );
    init.plainOpened?.then(() => {
      this.#plainUp = true;
    }, noop);
    const signal = init.signal;
    if (signal !== undefined) {
      const onAbort = (): void => {
        this.#fail(signalAborted(signal));
        native.close().catch(noop);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
  }

  get upgraded(): boolean {
    return this.#upgraded;
  }

  close(reason?: unknown): Promise<void> {
    if (this.#closeCalled || this.#upgraded || this.#failure !== null) return this.closed;
    this.#closeCalled = true;
    this.#unlisten();
    if (!this.#isOpen) {
      this.#closedWhileOpening = true;
      this.#rejectOpened(reason !== undefined ? reason : new SocketError("The socket was closed before it opened", { code: "ECLOSED" }));
    }
    if (reason === undefined) this.#read.end();
    else this.#read.error(reason);
    this.#native.close().then(
      () => this.#finish(),
      // workerd's close() rejects ("This socket has been closed") when the peer closed
      // first: that is a clean end, as its own `closed` says; only a failed `closed` fails.
      (error: unknown) =>
        this.#native.closed.then(
          () => this.#finish(),
          () => this.#fail(error),
        ),
    );
    return this.closed;
  }

  startTls(): Socket {
    assertCanStartTls({
      secureTransport: this.secureTransport,
      upgraded: this.#upgraded,
      closed: this.#closeCalled || this.#failure !== null,
    });
    const sni = this.#init.sni;
    let secure: CloudflareSocket;
    this.#read.detach();
    try {
      secure = this.#native.startTls(sni === null ? undefined : { expectedServerHostname: sni });
    } catch (error) {
      throw workerdSocketError(error, this.#init.authority);
    }
    this.#upgraded = true;
    this.#unlisten();
    return new WorkerdSocket(secure, { ...this.#init, secureTransport: "on", plainOpened: this.#native.opened });
  }

  /** The native socket closed (or `close()` finished): `closed` resolves unless it failed. */
  #finish(): void {
    this.#unlisten();
    this.#resolveClosed();
  }

  /**
   * One `SocketError` for `opened`, `closed` and the readable, however many native
   * rejections arrive; returns it.
   */
  #fail(error: unknown): SocketError {
    if (this.#failure !== null) return this.#failure;
    const fallback = this.#plainUp && !this.#isOpen ? "ETLS" : "EUNKNOWN";
    if (this.#closedWhileOpening) return workerdSocketError(error, this.#init.authority, fallback);
    const failure = (this.#failure = workerdSocketError(error, this.#init.authority, fallback));
    this.#unlisten();
    this.#rejectOpened(failure);
    this.#rejectClosed(failure);
    this.#read.error(failure);
    return failure;
  }
}

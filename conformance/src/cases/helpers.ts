/**
 * Helpers shared by the portable cases: byte/text conversion, reading exact amounts,
 * hashing with `crypto.subtle`, and bounded waits. Web globals only.
 *
 * @module
 */
import type { Socket } from "@sockets/core";
import { AssertionError } from "./assert.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * UTF-8 bytes of `text`.
 *
 * @example
 * ```ts
 * import { bytes } from "@sockets/conformance/cases";
 * bytes("hi"); // Uint8Array [104, 105]
 * ```
 */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The UTF-8 text of `data`.
 *
 * @example
 * ```ts
 * import { text } from "@sockets/conformance/cases";
 * text(new Uint8Array([104, 105])); // "hi"
 * ```
 */
export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/**
 * Concatenates byte arrays.
 *
 * @example
 * ```ts
 * import { concat } from "@sockets/conformance/cases";
 * concat([new Uint8Array([1]), new Uint8Array([2])]); // Uint8Array [1, 2]
 * ```
 */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const chunk of chunks) size += chunk.byteLength;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function _chunk(value: unknown): Uint8Array {
  if (!(value instanceof Uint8Array))
    throw new AssertionError(`readable chunks must be Uint8Array, got ${Object.prototype.toString.call(value)}`);
  return value;
}

/**
 * A reader that keeps leftovers, so a case can read exact byte counts or lines.
 *
 * @example
 * ```ts
 * import { ByteReader } from "@sockets/conformance/cases";
 * declare const readable: ReadableStream<Uint8Array>;
 * const reader = new ByteReader(readable);
 * const line = await reader.line();
 * ```
 */
export class ByteReader {
  readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  #buffered: Uint8Array = new Uint8Array(0);
  #done = false;

  constructor(readable: ReadableStream<Uint8Array>) {
    this.reader = readable.getReader();
  }

  async #more(): Promise<boolean> {
    if (this.#done) return false;
    const { done, value } = await this.reader.read();
    if (done) {
      this.#done = true;
      return false;
    }
    this.#buffered = this.#buffered.byteLength === 0 ? _chunk(value) : concat([this.#buffered, _chunk(value)]);
    return true;
  }

  #take(n: number): Uint8Array {
    const out = this.#buffered.slice(0, n);
    this.#buffered = this.#buffered.subarray(n);
    return out;
  }

  /** Exactly `n` bytes; fails if the stream ends first. */
  async exactly(n: number): Promise<Uint8Array> {
    while (this.#buffered.byteLength < n) {
      if (!(await this.#more())) throw new AssertionError(`expected ${n} bytes, the stream ended after ${this.#buffered.byteLength}`);
    }
    return this.#take(n);
  }

  /** One "\n"-terminated line, without the "\n"; fails if the stream ends first. */
  async line(): Promise<string> {
    for (;;) {
      const newline = this.#buffered.indexOf(0x0a);
      if (newline !== -1) return text(this.#take(newline + 1)).slice(0, -1);
      if (!(await this.#more())) throw new AssertionError(`expected a line, the stream ended after ${show(this.#buffered)}`);
    }
  }

  /** Everything up to the end of the stream. */
  async rest(): Promise<Uint8Array> {
    const chunks = [this.#take(this.#buffered.byteLength)];
    for (;;) {
      const { done, value } = await this.reader.read();
      if (done) break;
      chunks.push(_chunk(value));
    }
    this.#done = true;
    return concat(chunks);
  }
}

function show(data: Uint8Array): string {
  return JSON.stringify(text(data.subarray(0, 80)));
}

/**
 * Reads `readable` to its end.
 *
 * @example
 * ```ts
 * import { readAll } from "@sockets/conformance/cases";
 * declare const readable: ReadableStream<Uint8Array>;
 * const all = await readAll(readable);
 * ```
 */
export function readAll(readable: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new ByteReader(readable).rest();
}

/**
 * Lowercase hex SHA-256 of `data`.
 *
 * @example
 * ```ts
 * import { sha256 } from "@sockets/conformance/cases";
 * await sha256(new Uint8Array()); // "e3b0c442…"
 * ```
 */
export async function sha256(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * ```ts
 * import { sleep } from "@sockets/conformance/cases";
 * await sleep(10);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `promise`, or an `AssertionError` naming `what` if it has not settled within `ms`.
 *
 * @example
 * ```ts
 * import { withTimeout } from "@sockets/conformance/cases";
 * await withTimeout(Promise.resolve(1), 1_000, "one");
 * ```
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `"pending"` if `promise` has not settled after `ms`, else `"fulfilled"`/`"rejected"`.
 * Never leaves a rejection unhandled.
 *
 * @example
 * ```ts
 * import { stateAfter } from "@sockets/conformance/cases";
 * await stateAfter(new Promise(() => {}), 50); // "pending"
 * ```
 */
export async function stateAfter(promise: Promise<unknown>, ms: number): Promise<"pending" | "fulfilled" | "rejected"> {
  let state: "pending" | "fulfilled" | "rejected" = "pending";
  promise.then(
    () => (state = "fulfilled"),
    () => (state = "rejected"),
  );
  await sleep(ms);
  return state;
}

/**
 * Closes `socket` and ignores how `closed` settles (cleanup in `finally`).
 *
 * @example
 * ```ts
 * import { dispose } from "@sockets/conformance/cases";
 * declare const socket: import("@sockets/core").Socket;
 * await dispose(socket);
 * ```
 */
export async function dispose(socket: Socket | undefined): Promise<void> {
  if (socket === undefined) return;
  try {
    await withTimeout(
      socket.close().catch(() => {}),
      5_000,
      "close() during cleanup",
    );
  } catch {
    // a hung close is reported by the case itself, not by cleanup
  }
}

/**
 * The port of a `"host:port"` peer address.
 *
 * @example
 * ```ts
 * import { portOf } from "@sockets/conformance/cases";
 * portOf("[::1]:8080"); // 8080
 * ```
 */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(":") + 1));
}

/**
 * The same peer, addressed as `localhost:port` (TLS cases need a DNS name for SNI).
 *
 * @example
 * ```ts
 * import { viaLocalhost } from "@sockets/conformance/cases";
 * viaLocalhost("127.0.0.1:8443"); // "localhost:8443"
 * ```
 */
export function viaLocalhost(address: string): string {
  return `localhost:${portOf(address)}`;
}

/**
 * `size` bytes of a deterministic pseudo-random pattern (xorshift32 from `seed`).
 *
 * @example
 * ```ts
 * import { pattern } from "@sockets/conformance/cases";
 * const payload = pattern(1024, 7);
 * ```
 */
export function pattern(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed | 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * A random token usable as a peer protocol id.
 *
 * @example
 * ```ts
 * import { token } from "@sockets/conformance/cases";
 * token(); // "3f2a…"
 * ```
 */
export function token(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, "0")).join("");
}

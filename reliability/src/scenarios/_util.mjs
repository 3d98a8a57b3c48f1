/**
 * Small portable helpers for the scenarios: assertions, bounded waits, deterministic
 * payloads checked byte for byte, and the ledger query. Web globals only.
 *
 * @module
 */
import { SocketError } from "@sockets/core";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Throws `message` unless `condition`. */
export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Encodes a string as UTF-8. */
export const utf8 = (text) => encoder.encode(text);

/** Resolves `promise`, or rejects "Hang: <what>" after `ms`. */
export async function within(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Hang: ${what} did not settle within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `{ ok: true, value }` or `{ ok: false, error }`, bounded by `ms`. */
export async function settle(promise, ms, what) {
  try {
    return { ok: true, value: await within(promise, ms, what) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Hang: ")) throw error;
    return { ok: false, error };
  }
}

/** The rejection of `promise` (bounded); throws when it resolves. */
export async function rejection(promise, ms, what) {
  const result = await settle(promise, ms, what);
  check(!result.ok, `${what} resolved, expected a rejection`);
  return result.error;
}

/** Asserts a `SocketError` (also a `TypeError`, message prefixed) with one of `codes`. */
export function isSocketError(error, codes, what) {
  const name = error?.constructor?.name;
  check(error instanceof SocketError, `${what}: expected a SocketError, got ${name}: ${error?.message ?? String(error)}`);
  check(error instanceof TypeError, `${what}: SocketError is not a TypeError`);
  check(error.message.startsWith("SocketError: "), `${what}: message "${error.message}" lacks the "SocketError: " prefix`);
  const list = typeof codes === "string" ? [codes] : codes;
  check(list.includes(error.code), `${what}: code "${error.code}", expected ${list.join(" or ")} (message: ${error.message})`);
  return error.code;
}

/** Deterministic payload: byte i = (i * 7 + seed + (i >>> 8)) & 0xff (not periodic at 256). */
export function pattern(size, seed = 0) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + seed + (i >>> 8)) & 0xff;
  return out;
}

/** The byte `pattern(…, seed)` has at position `i`. */
export const patternAt = (i, seed) => (i * 7 + seed + (i >>> 8)) & 0xff;

/**
 * Reads `readable` to its end (or error), checking every byte against `expected(i)`.
 * Returns `{ bytes, mismatch, error, done }`: `mismatch` is the first bad offset or -1.
 */
export async function readChecked(readable, expected, ms = 20_000, what = "reading") {
  const reader = readable.getReader();
  let bytes = 0;
  let mismatch = -1;
  try {
    for (;;) {
      const { done, value } = await within(reader.read(), ms, what);
      if (done) return { bytes, mismatch, error: undefined, done: true };
      for (let i = 0; i < value.byteLength && mismatch < 0; i++) if (value[i] !== expected(bytes + i)) mismatch = bytes + i;
      bytes += value.byteLength;
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Hang: ")) throw error;
    return { bytes, mismatch, error, done: false };
  } finally {
    reader.releaseLock();
  }
}

/** Reads everything until the end; rejects on error. */
export async function readAll(readable, ms = 10_000) {
  const reader = readable.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await within(reader.read(), ms, "reading to the end");
    if (done) break;
    chunks.push(value);
  }
  reader.releaseLock();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.byteLength) - c.byteLength);
  return out;
}

/** Reads one "\n"-terminated line with `reader` (a default reader kept by the caller), returning it and the bytes after. */
export async function readLine(reader, ms = 5_000) {
  let text = "";
  for (;;) {
    const { done, value } = await within(reader.read(), ms, "reading a line");
    if (done) return { line: text === "" ? null : text, rest: new Uint8Array(0) };
    const at = value.indexOf(10);
    if (at < 0) {
      text += decoder.decode(value);
      continue;
    }
    return { line: text + decoder.decode(value.subarray(0, at)), rest: value.subarray(at + 1) };
  }
}

/** Writes `data` in `chunk`-sized writes, awaiting `writer.ready` (backpressure). */
export async function writeChunks(writer, data, chunk) {
  for (let at = 0; at < data.byteLength; at += chunk) {
    await writer.ready;
    void writer.write(data.subarray(at, Math.min(at + chunk, data.byteLength))).catch(() => {});
  }
  await writer.ready;
}

let nextId = 0;
/** A fresh id for the ledger (unique per run and runtime). */
export const ledgerId = (config, tag) => `${config.runtimeTag}-${tag}-${++nextId}-${Math.random().toString(36).slice(2, 8)}`;

/** Asks the ledger what the peer recorded under `id`: `{ bytes, sha256, secret }`. */
export async function ledgerQuery(connect, config, id) {
  const socket = connect(config.ledger.query);
  const writer = socket.writable.getWriter();
  await writer.write(utf8(`${id}\n`));
  const text = decoder.decode(await readAll(socket.readable, 8_000));
  await socket.close();
  return JSON.parse(text);
}

/** SHA-256 hex of `bytes` (Web Crypto). */
export async function sha256(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Sleeps `ms`. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

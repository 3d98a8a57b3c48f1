/**
 * What the cases share: assertions that throw with both values, a recorder of transport
 * events, and a read loop that works for push (Node, Bun) and pull (Deno) transports alike.
 *
 * @module
 */
import { Cancellation, codeOf, type OpenRequest, type TlsRequest, type Transport, type TransportEvents } from "@sockets/core";

/** A failed expectation. */
export class ContractError extends Error {
  override readonly name: string = "ContractError";
}

function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}${codeOf(value) ? ` (code ${codeOf(value)})` : ""}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function ok(condition: unknown, what: string): asserts condition {
  if (!condition) throw new ContractError(what);
}

export function equal(actual: unknown, expected: unknown, what: string): void {
  if (!Object.is(actual, expected)) throw new ContractError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function deepEqual(actual: unknown, expected: unknown, what: string): void {
  if (show(actual) !== show(expected)) throw new ContractError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** The normalised code of an error, as core would see it. */
export function code(error: unknown): string | undefined {
  return codeOf(error);
}

/** The rejection of `promise` (fails if it fulfils, or after `ms`). */
export async function rejection(promise: Promise<unknown>, what: string, ms = 5000): Promise<unknown> {
  const outcome = await within(
    promise.then(
      () => ({ failed: false, error: undefined as unknown }),
      (error: unknown) => ({ failed: true, error }),
    ),
    ms,
    what,
  );
  if (!outcome.failed) throw new ContractError(`${what}: expected a rejection, but it fulfilled`);
  return outcome.error;
}

/** Rejects if `promise` takes longer than `ms` (a hang guard, not a timing assertion). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ContractError(`${what}: still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Polls `check` every 5 ms; fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new ContractError(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** A plain-TCP request. */
export function plain(hostname: string, port: number, cancel: Cancellation = new Cancellation(), starttls = false): OpenRequest {
  return { hostname, port, tls: null, starttls, cancel };
}

/**
 * A TLS request trusting `ca` (the peers' CA) only through `caCerts`. As core builds it:
 * the SNI is the name verified, unless `serverName` is `null` (an IP literal).
 */
export function tlsRequest(overrides: Partial<TlsRequest> & { caCerts: readonly string[] }): TlsRequest {
  const verifyName = overrides.verifyName ?? "localhost";
  return { verifyName, serverName: verifyName, alpn: [], ...overrides };
}

/** One thing a transport reported. */
export type Event =
  { readonly kind: "data"; readonly chunk: Uint8Array } | { readonly kind: "end" } | { readonly kind: "error"; readonly error: unknown };

/** Records every event, in order; `onData` runs inside `data` (to pause, or transfer, as core may). */
export class Recorder implements TransportEvents {
  readonly log: Event[] = [];
  onData: ((chunk: Uint8Array) => void) | null = null;
  readonly data = (chunk: Uint8Array): void => {
    this.log.push({ kind: "data", chunk });
    this.onData?.(chunk);
  };
  readonly end = (): void => void this.log.push({ kind: "end" });
  readonly error = (error: unknown): void => void this.log.push({ kind: "error", error });

  get bytes(): number {
    let total = 0;
    for (const event of this.log) if (event.kind === "data") total += event.chunk.byteLength;
    return total;
  }
  get ends(): number {
    return this.log.filter((event) => event.kind === "end").length;
  }
  get errors(): unknown[] {
    return this.log.flatMap((event) => (event.kind === "error" ? [event.error] : []));
  }
  /** Every data chunk so far, joined as UTF-8. */
  text(): string {
    const decoder = new TextDecoder();
    let out = "";
    for (const event of this.log) if (event.kind === "data") out += decoder.decode(event.chunk, { stream: true });
    return out + decoder.decode();
  }
  /** `data`, `end`, `error` in order, adjacent data merged (`data end`). */
  shape(): string {
    const kinds: string[] = [];
    for (const event of this.log) if (kinds.at(-1) !== event.kind || event.kind !== "data") kinds.push(event.kind);
    return kinds.join(" ");
  }
}

/**
 * Reads the way core does until `done()` holds: calls `pull()` again once the previous read
 * settled (a pull transport) or, for a push transport, once a new event came.
 */
export async function readUntil(transport: Transport, events: Recorder, done: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new ContractError(`timed out reading until ${what}; got: ${events.shape()}`);
    const seen = events.log.length;
    const pending = transport.pull(null);
    if (pending !== undefined) await within(pending, Math.max(1, deadline - Date.now()), `a pull while reading until ${what}`);
    else while (events.log.length === seen && Date.now() <= deadline) await sleep(2);
  }
}

/** Reads until the peer's FIN or an error. */
export function readToEnd(transport: Transport, events: Recorder, ms?: number): Promise<void> {
  return readUntil(transport, events, () => events.ends > 0 || events.errors.length > 0, "the end", ms);
}

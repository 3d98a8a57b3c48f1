/**
 * The host client, as a case sees it: a real `node:net`/`node:tls` client in the CLI
 * process, told what to do over a control connection (see `fixtures/host-client.ts`).
 * Portable: the control connection is made with the implementation's own `connect()`,
 * bytes travel as base64.
 *
 * @module
 */
import type { CaseContext } from "./types.js";

/**
 * One job for the host client.
 *
 * - `exchange`: connect (with `tls`, a TLS client trusting the test CA unless
 *   `trust: "none"`), send `send`, then half-close (`halfClose`) or reset (`reset`), and
 *   read until the server's FIN (or `readBytes` bytes, or `ms`).
 * - `starttls`: connect in plain text, send `starttls.line`, wait for `starttls.expect`,
 *   upgrade with `node:tls`, then as `exchange`.
 * - `hold`: connect and send nothing; the answer comes once connected, and the client
 *   stays silent for `ms` more.
 * - `flood`: connect and write as fast as the kernel takes it for `ms`, never reading;
 *   `bytesAccepted` says how much the OS accepted.
 *
 * @example
 * ```ts
 * import type { HostCommand } from "@sockets/conformance/cases";
 * const job: HostCommand = { op: "exchange", target: "127.0.0.1:4000", send: btoa("hi"), halfClose: true };
 * ```
 */
export interface HostCommand {
  op: "exchange" | "starttls" | "hold" | "flood";
  target: string;
  tls?: { servername?: string; alpn?: readonly string[]; trust?: "test" | "none" };
  starttls?: { line: string; expect: string; servername?: string; alpn?: readonly string[] };
  send?: string;
  halfClose?: boolean;
  reset?: boolean;
  /** With `reset`: wait this long after sending before the RST (so the server has accepted). */
  resetAfterMs?: number;
  readBytes?: number;
  ms?: number;
}

/**
 * What the host client saw.
 *
 * @example
 * ```ts
 * import type { HostResult } from "@sockets/conformance/cases";
 * const seen: HostResult = { ok: true, received: btoa("hi"), ended: true };
 * ```
 */
export interface HostResult {
  ok: boolean;
  /** The error code (`ECONNRESET`, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, …) or message. */
  error?: string;
  /** Everything received (base64). */
  received: string;
  /** The server's FIN was seen. */
  ended: boolean;
  alpn?: string | null;
  authorized?: boolean | null;
  /** Bytes the OS accepted from this client (`flood`). */
  bytesAccepted?: number;
  timedOut?: boolean;
}

/**
 * Runs `command` on the host client and returns what it saw.
 *
 * @example
 * ```ts
 * import { hostClient, type CaseContext } from "@sockets/conformance/cases";
 * declare const ctx: CaseContext;
 * const seen = await hostClient(ctx, { op: "exchange", target: "127.0.0.1:4000", send: btoa("ping"), halfClose: true });
 * console.log(atob(seen.received));
 * ```
 */
export async function hostClient(ctx: CaseContext, command: HostCommand): Promise<HostResult> {
  const control = ctx.connect(ctx.peers.hostClient);
  try {
    const writer = control.writable.getWriter();
    await writer.write(new TextEncoder().encode(JSON.stringify(command) + "\n"));
    // Half-close: the command is all we send (the service answers, then ends its side).
    await writer.close();
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of control.readable as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    return JSON.parse(text) as HostResult;
  } finally {
    await control.close();
  }
}

/**
 * Base64 of a string's UTF-8 bytes (for `send`, `line`, `expect`).
 *
 * @example
 * ```ts
 * import { b64 } from "@sockets/conformance/cases";
 * b64("STARTTLS\n"); // "U1RBUlRUTFMK"
 * ```
 */
export function b64(text: string): string {
  return b64Bytes(new TextEncoder().encode(text));
}

/**
 * Base64 of bytes (for a binary `send`).
 *
 * @example
 * ```ts
 * import { b64Bytes } from "@sockets/conformance/cases";
 * b64Bytes(new Uint8Array([0, 255])); // "AP8="
 * ```
 */
export function b64Bytes(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The UTF-8 text of base64 bytes (`HostResult.received`).
 *
 * @example
 * ```ts
 * import { unb64 } from "@sockets/conformance/cases";
 * unb64("aGk="); // "hi"
 * ```
 */
export function unb64(data: string): string {
  return new TextDecoder().decode(unb64Bytes(data));
}

/**
 * The bytes of base64 (`HostResult.received`).
 *
 * @example
 * ```ts
 * import { unb64Bytes } from "@sockets/conformance/cases";
 * unb64Bytes("AP8="); // Uint8Array [0, 255]
 * ```
 */
export function unb64Bytes(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Connection failures: one SocketError rejects `opened` and `closed` and fails both
 * streams (spec `connect()` step 7); codes under `ext:codes`.
 *
 * @module
 */
import type { Socket } from "@sockets/core";
import { assertSocketError, equal, ok, rejects, show } from "./assert.js";
import { bytes, dispose, sleep } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

const NXDOMAIN = "sockets-conformance.invalid"; // RFC 6761: never resolves

async function _failure(socket: Socket, what: string): Promise<unknown> {
  const fromOpened = await rejects(socket.opened, `${what}: opened`);
  const fromClosed = await rejects(socket.closed, `${what}: closed`);
  assertSocketError(fromOpened, `${what}: opened`);
  equal(fromClosed, fromOpened, `${what}: closed rejects with the same error object as opened`);
  return fromOpened;
}

async function _streamsFail(socket: Socket, what: string, same: unknown): Promise<void> {
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  if (same === undefined) {
    // Spec: the readable is cancelled, so a read either rejects or reports done.
    let done = false;
    try {
      done = (await reader.read()).done;
    } catch {
      done = true;
    }
    ok(done, `${what}: a read after the failure returned data`);
    await rejects(writer.write(bytes("x")), `${what}: a write after the failure`);
  } else {
    await rejects(reader.read(), `${what}: read`, (e) => e === same);
    await rejects(writer.write(bytes("x")), `${what}: write`, (e) => e === same);
  }
}

/** Cases for connection failures. */
export const errorCases: readonly ConformanceCase[] = [
  {
    id: "errors/refused-rejects-opened-and-closed",
    title: "a refused connection rejects opened and closed with the same SocketError and fails both streams",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.refused);
      await _failure(socket, "refused");
      await _streamsFail(socket, "refused", undefined);
    },
  },
  {
    id: "errors/refused-errors-streams-with-same-error",
    title: "after a refused connection, reads and writes reject with that same SocketError",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.refused);
      const error = await _failure(socket, "refused");
      await _streamsFail(socket, "refused", error);
    },
  },
  {
    id: "errors/refused-code",
    title: 'a refused connection has code "ECONNREFUSED"',
    tags: ["ext:codes"],
    async run({ connect, peers }) {
      const error = await _failure(connect(peers.refused), "refused");
      assertSocketError(error, "refused", "ECONNREFUSED");
    },
  },
  {
    id: "errors/dns-failure-rejects",
    title: "an unresolvable hostname (.invalid) rejects opened and closed with the same SocketError",
    tags: ["spec"],
    async run({ connect }) {
      const socket = connect(`${NXDOMAIN}:443`);
      await _failure(socket, "DNS failure");
      await _streamsFail(socket, "DNS failure", undefined);
    },
  },
  {
    id: "errors/dns-failure-code",
    title: 'an unresolvable hostname has code "ENOTFOUND"',
    tags: ["ext:codes"],
    async run({ connect }) {
      const error = await _failure(connect(`${NXDOMAIN}:443`), "DNS failure");
      assertSocketError(error, "DNS failure", "ENOTFOUND");
    },
  },
  {
    id: "errors/failure-is-handled",
    title: "a failed connection nobody listens to raises no unhandled rejection (opened and closed are marked handled)",
    tags: ["spec"],
    async run({ connect, peers }) {
      // The runner fails a case that causes an unhandled rejection while it runs.
      connect(peers.refused);
      const other = connect(peers.refused);
      void [other.readable, other.writable]; // touch the streams without reading them
      await sleep(300);
    },
  },
  {
    id: "errors/close-after-failure",
    title: "close() after a failed connection does not throw and returns closed",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.refused);
      await rejects(socket.closed, "closed");
      let returned: Promise<void> | undefined;
      try {
        returned = socket.close();
      } catch (error) {
        throw new Error(`close() threw ${show(error)}`);
      }
      equal(returned, socket.closed, "close() return value");
      await returned.catch(() => {});
      await dispose(socket);
    },
  },
];

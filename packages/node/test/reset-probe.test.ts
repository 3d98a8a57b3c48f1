/**
 * A peer that sends data and then resets while we are not reading. Before libuv 1.52
 * (Node 20: 1.46, Node 22: 1.51) a raw `net.Socket` reports this as a clean `'end'` every
 * time (the control shows it, so the other tests cannot pass by accident) and
 * @sockets/node's probe must turn it into `ECONNRESET`; from libuv 1.52 (Node 24.16+, 26)
 * the raw socket reports `ECONNRESET` itself and no probe is made. The suite runs on every
 * pinned Node line, so both paths are proven (see src/_reset-probe.ts).
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { connect, SocketError, type Socket } from "../src/index.js";
import { probeReset, resetProbeNeeded } from "../src/_reset-probe.js";
import { createTestPki } from "./_pki.js";
import { closeAfterEach, Servers, settle } from "./_harness.js";

const pki = createTestPki();
const servers = new Servers();
const track = closeAfterEach(servers);
afterAll(() => pki.dispose());

const PAYLOAD = new Uint8Array(100).fill(7);
/** Long enough for the peer's data and RST (or FIN) to reach our kernel before we read. */
const BEFORE_READING_MS = 150;

/** Sends `PAYLOAD`, then resets (RST) or ends (FIN) the TCP connection a little later. */
function plainPeer(how: "rst" | "fin"): net.Server {
  return net.createServer((socket) => {
    socket.on("error", () => {});
    socket.write(PAYLOAD, () => setTimeout(() => (how === "rst" ? socket.resetAndDestroy() : socket.end()), 20));
  });
}

/** The same over TLS: the RST is sent on the TCP socket under the server's TLS layer. */
function tlsPeer(): net.Server {
  return net.createServer((raw) => {
    raw.on("error", () => {});
    const secure = new tls.TLSSocket(raw, { isServer: true, key: pki.leaf.key, cert: pki.leaf.cert });
    secure.on("error", () => {});
    secure.once("secure", () => secure.write(PAYLOAD, () => setTimeout(() => raw.resetAndDestroy(), 20)));
  });
}

/** Reads to the end; resolves the byte count and how the stream ended. */
async function drain(socket: Socket): Promise<{ bytes: number; error: unknown }> {
  const reader = socket.readable.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, error: undefined };
      bytes += value.byteLength;
    }
  } catch (error) {
    return { bytes, error };
  }
}

const PROBE_NEEDED = resetProbeNeeded(process.versions.uv);

it("the probe is needed before libuv 1.52 only", () => {
  expect(["1.46.0", "1.51.0", "1.52.0", "1.52.1", "1.60.0", "2.0.0"].map(resetProbeNeeded)).toEqual([
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});

describe("a reset that arrives with the last data, while nobody reads", () => {
  it(`control: a raw node:net socket reports it as ${PROBE_NEEDED ? "a clean 'end'" : "ECONNRESET"} on this Node (libuv ${process.versions.uv})`, async () => {
    const port = await servers.listen(plainPeer("rst"));
    const raw = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    raw.pause();
    const outcome = new Promise<string>((resolve) => {
      raw.on("end", () => resolve("end"));
      raw.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    });
    raw.on("data", () => {});
    await settle(BEFORE_READING_MS);
    raw.resume();
    const seen = await outcome;
    raw.destroy();
    // Before libuv/libuv#4997 (libuv 1.52) the RST is lost; with it, libuv reads it itself.
    expect(seen, `libuv ${process.versions.uv}`).toBe(PROBE_NEEDED ? "end" : "error ECONNRESET");
  });

  it(`the probe is ${PROBE_NEEDED ? "made" : "not made"} at a peer's FIN on this Node, and reports no reset`, async () => {
    const port = await servers.listen(plainPeer("fin"));
    const raw = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    raw.on("data", () => {});
    const probed = await new Promise<{ made: boolean; reset: Promise<Error | null> }>((resolve) =>
      raw.once("end", () => {
        let report!: (reset: Error | null) => void;
        const reset = new Promise<Error | null>((r) => (report = r));
        resolve({ made: probeReset(raw, report), reset });
      }),
    );
    expect(probed.made).toBe(PROBE_NEEDED);
    if (probed.made) expect(await probed.reset).toBeNull();
    raw.destroy();
  });

  for (const tlsOn of [false, true]) {
    it(`is reported as ECONNRESET on the readable and closed (${tlsOn ? "TLS" : "plain"})`, async () => {
      const port = await servers.listen(tlsOn ? tlsPeer() : plainPeer("rst"));
      const socket = track(connect(`localhost:${port}`, tlsOn ? { secureTransport: "on", caCerts: [pki.ca.cert] } : {}));
      await socket.opened;
      await settle(BEFORE_READING_MS);
      const { bytes, error } = await drain(socket);
      expect({ bytes, code: (error as SocketError | undefined)?.code }).toEqual({ bytes: PAYLOAD.byteLength, code: "ECONNRESET" });
      expect(bytes).toBe(PAYLOAD.byteLength);
      expect(error).toBeInstanceOf(SocketError);
      expect((error as SocketError).code).toBe("ECONNRESET");
      await expect(socket.closed).rejects.toMatchObject({ code: "ECONNRESET" });
    });
  }

  it("a FIN in the same situation is still a clean end (allowHalfOpen: false and true)", async () => {
    for (const allowHalfOpen of [false, true]) {
      const port = await servers.listen(plainPeer("fin"));
      const socket = track(connect(`127.0.0.1:${port}`, { allowHalfOpen }));
      await socket.opened;
      await settle(BEFORE_READING_MS);
      expect(await drain(socket)).toEqual({ bytes: PAYLOAD.byteLength, error: undefined });
      if (allowHalfOpen) await socket.writable.getWriter().close();
      await expect(socket.closed).resolves.toBeUndefined();
    }
  });
});

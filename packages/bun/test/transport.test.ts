/**
 * The Bun transport, listener and datagram socket against core's seams: the shared
 * contract cases of @sockets/transport-contract (over Node peers in a child process), plus
 * what is the Bun transport's own below `connect()`: a FIN held back while paused, no dial
 * for a cancelled attempt, EPIPE after close, and the TLS option mapping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Cancellation, SocketError, type TransportEvents } from "@sockets/core";
import {
  datagramCases,
  listenerCases,
  peersScript,
  runTransportCase,
  transportCases,
  type TransportCase,
} from "@sockets/transport-contract";
import { openBunDatagram, openBunListener, openBunTransport } from "../src/index.js";
import { alpnWire, bunTlsOptions } from "../src/_tls-options.js";
import { listen, pem, rejection, type TestServer } from "./_helpers.js";

let peers: { control: string; ca: string; cert: string; key: string; stop(): void };
beforeAll(async () => {
  const child = Bun.spawn(["node", peersScript], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The contract peers exited before printing their address (exit code ${await child.exited})`);
    line += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  peers = { ...(JSON.parse(line) as { control: string; ca: string; cert: string; key: string }), stop: () => child.kill() };
});
afterAll(() => peers.stop());

const openers = { open: openBunTransport, openListener: openBunListener, openDatagram: openBunDatagram };
const contract = (cases: readonly TransportCase[]) => () => {
  for (const testCase of cases) {
    test(
      `${testCase.id}: ${testCase.title}`,
      () => runTransportCase(testCase, { ...openers, ...peers }),
      (testCase.timeout ?? 10_000) + 5_000,
    );
  }
};
describe("the Transport contract", contract(transportCases));
describe("the listener contract", contract(listenerCases));
describe("the datagram contract", contract(datagramCases));

let servers: TestServer[] = [];
function server(...args: Parameters<typeof listen>): TestServer {
  const started = listen(...args);
  servers.push(started);
  return started;
}
afterEach(() => {
  for (const started of servers) started.stop();
  servers = [];
});

/** Events that record what the transport reports. */
function recorder(): TransportEvents & { log: string[]; bytes: number } {
  const events = {
    log: [] as string[],
    bytes: 0,
    data(chunk: Uint8Array) {
      events.bytes += chunk.byteLength;
      events.log.push(`data`);
    },
    end() {
      events.log.push("end");
    },
    error(error: unknown) {
      events.log.push(`error ${(error as { code?: string }).code}`);
    },
  };
  return events;
}

const request = (port: number, cancel = new Cancellation()) =>
  ({ hostname: "127.0.0.1", port, tls: null, starttls: false, cancel }) as const;

describe("openBunTransport", () => {
  test("delivers from the open until paused; nothing more until pull(), then data and end in order", async () => {
    let second!: () => void;
    const peer = server({
      onOpen: (conn) => {
        conn.socket.write("hello");
        second = () => (conn.socket.write("world"), conn.socket.shutdown());
      },
    });
    const events = recorder();
    const transport = await openBunTransport(request(peer.port), events);
    await peer.accepted();
    while (events.bytes < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events.log).toEqual(["data"]); // no pull() yet: core pauses when it gets such a chunk
    transport.pause();
    second();
    await new Promise((resolve) => setTimeout(resolve, 50)); // the bytes and FIN are here by now
    expect(events.log).toEqual(["data"]);
    transport.pull(null);
    while (!events.log.includes("end")) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events.log).toEqual(["data", "data", "end"]);
    expect(events.bytes).toBe(10);
    transport.close();
  });

  test("an attempt cancelled before the call rejects without dialling", async () => {
    let accepted = 0;
    const peer = server({ onOpen: () => accepted++ });
    const cancelled = new Cancellation();
    cancelled.cancel(new Error("stop"));
    const error = await rejection(openBunTransport(request(peer.port, cancelled), recorder()));
    expect((error as SocketError).code).toBe("EABORTED");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(accepted).toBe(0);
  });

  test("a write after the connection closed rejects (EPIPE or the close error)", async () => {
    const peer = server();
    const transport = await openBunTransport(request(peer.port), recorder());
    transport.close();
    let error: unknown;
    try {
      await transport.write(new Uint8Array(10));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).code).toBe("EPIPE");
  });
});

describe("TLS options", () => {
  test("ALPN names are encoded in wire format", () => {
    expect([...alpnWire(["h2", "x-test"])]).toEqual([2, 104, 50, 6, 120, 45, 116, 101, 115, 116]);
  });

  test("no SNI for an IP literal, the sni/hostname otherwise; verification always on", () => {
    const ip = bunTlsOptions({ verifyName: "::1", serverName: null, alpn: [], caCerts: [] }, "::1");
    expect(ip).toEqual({ serverName: "", rejectUnauthorized: true });
    const named = bunTlsOptions({ verifyName: "db.test", serverName: "db.test", alpn: ["x"], caCerts: [] }, "10.0.0.1");
    expect(named.serverName).toBe("db.test");
    expect(named.ALPNProtocols).toEqual(new Uint8Array([1, 120]));
    expect(named.ca).toBeUndefined();
  });

  test("caCerts are appended to Bun's default roots, never replacing them", async () => {
    const extra = await pem("private");
    const options = bunTlsOptions({ verifyName: "a.test", serverName: "a.test", alpn: [], caCerts: [extra] }, "a.test");
    const ca = options.ca as string[];
    expect(ca.length).toBeGreaterThan(100);
    expect(ca.at(-1)).toBe(extra);
  });
});

/**
 * The Node transport, listener and datagram socket against core's seams: the shared
 * contract cases of @sockets/transport-contract (over Node peers in a child process), plus
 * what is the Node transport's own (a reset racing the connect, chunks copied into
 * right-sized buffers, shutdown() and a write after it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Cancellation, type OpenRequest, type Transport } from "@sockets/core";
import {
  datagramCases,
  listenerCases,
  peersScript,
  runTransportCase,
  transportCases,
  type TransportCase,
} from "@sockets/transport-contract";
import { openNodeDatagram } from "../src/open-node-datagram.js";
import { openNodeListener } from "../src/open-node-listener.js";
import { openNodeTransport } from "../src/open-node-transport.js";
import { Recorder, Servers } from "./_harness.js";

let peers: { control: string; ca: string; cert: string; key: string; child: ChildProcess };
beforeAll(async () => {
  const child = spawn(process.execPath, [peersScript], { stdio: ["pipe", "pipe", "inherit"] });
  let line = "";
  for await (const chunk of child.stdout!) {
    line += String(chunk);
    if (line.includes("\n")) break;
  }
  peers = { ...(JSON.parse(line) as { control: string; ca: string; cert: string; key: string }), child };
});
afterAll(() => peers.child.kill());

const openers = { open: openNodeTransport, openListener: openNodeListener, openDatagram: openNodeDatagram };
const contract = (cases: readonly TransportCase[]) => () => {
  for (const testCase of cases) {
    it(
      `${testCase.id}: ${testCase.title}`,
      () => runTransportCase(testCase, { ...openers, ...peers }),
      (testCase.timeout ?? 10_000) + 5_000,
    );
  }
};
describe("the Transport contract", contract(transportCases));
describe("the listener contract", contract(listenerCases));
describe("the datagram contract", contract(datagramCases));

const servers = new Servers();
const transports: Transport[] = [];
afterEach(async () => {
  for (const transport of transports.splice(0)) transport.abort();
  await servers.stopAll();
});

function request(port: number, hostname = "127.0.0.1", cancel = new Cancellation()): OpenRequest {
  return { hostname, port, tls: null, starttls: false, cancel };
}

async function open(port: number, events: Recorder, hostname?: string): Promise<Transport> {
  const transport = await openNodeTransport(request(port, hostname), events);
  transports.push(transport);
  return transport;
}

function echoServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {});
    socket.pipe(socket);
  });
}

describe("Node: open", () => {
  it("rejects, or reports an error, when the peer resets right after accepting", async () => {
    const port = await servers.listen(net.createServer((socket) => socket.resetAndDestroy()));
    const events = new Recorder();
    // Depending on when the RST lands, Node fails the connect itself ('error' ECONNRESET,
    // 'close', no 'connect') or the first read; both must surface as ECONNRESET.
    const outcome = await openNodeTransport(request(port), events).then(
      async (transport) => {
        transports.push(transport);
        transport.pull(null);
        return events.waitError();
      },
      (error: unknown) => error,
    );
    expect(outcome).toMatchObject({ code: "ECONNRESET" });
  });
});

describe("Node: reading", () => {
  it("delivers from the open (core pauses it), as plain Uint8Arrays that own their ArrayBuffer", async () => {
    const port = await servers.listen(net.createServer((socket) => socket.end("hello")));
    const events = new Recorder();
    await open(port, events);
    await events.waitEnd();
    expect(events.text()).toBe("hello");
    expect(events.ends).toBe(1);
    for (const chunk of events.chunks) {
      expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype);
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.buffer.byteLength).toBe(chunk.byteLength);
      // Core may transfer it: that must work and leave the chunk detached.
      structuredClone(chunk.buffer, { transfer: [chunk.buffer] });
      expect(chunk.byteLength).toBe(0);
    }
  });
});

describe("Node: writing", () => {
  it("half-closes with shutdown() and still receives the reply", async () => {
    const port = await servers.listen(
      net.createServer({ allowHalfOpen: true }, (socket) => {
        const chunks: Buffer[] = [];
        socket.on("data", (chunk: Buffer) => chunks.push(chunk));
        socket.on("end", () => socket.end(`got ${Buffer.concat(chunks).toString()}`));
      }),
    );
    const events = new Recorder();
    const transport = await open(port, events);
    transport.pull(null);
    await transport.write(new TextEncoder().encode("ping"));
    await transport.shutdown();
    await transport.shutdown(); // idempotent
    await events.waitEnd();
    expect(events.text()).toBe("got ping");
  });

  it("refuses a write after shutdown without destroying the socket", async () => {
    const port = await servers.listen(echoServer());
    const events = new Recorder();
    const transport = await open(port, events);
    await transport.shutdown();
    await expect(transport.write(new Uint8Array([1]))).rejects.toMatchObject({ code: "EPIPE" });
    transport.pull(null);
    await events.waitEnd();
    expect(events.errors).toEqual([]);
  });
});

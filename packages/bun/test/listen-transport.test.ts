/**
 * `openBunListener` against the listener seam's contract (`listener-transport.ts` in core),
 * without core's Listener on top: what reaches `events`, `attach`, `abort` and `close`.
 */
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import {
  SocketError,
  type AcceptedConnection,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type ServerTlsRequest,
  type TransportEvents,
} from "@sockets/core";
import { openBunListener } from "../src/index.js";
import { pem, rejection } from "./_helpers.js";
import { portOf, rawClient, until, within } from "./_listen-helpers.js";

class Events implements ListenerEvents {
  readonly accepted: AcceptedConnection[] = [];
  readonly failures: unknown[] = [];
  readonly errors: unknown[] = [];
  connection(accepted: AcceptedConnection): void {
    this.accepted.push(accepted);
  }
  failed(error: unknown): void {
    this.failures.push(error);
  }
  error(error: unknown): void {
    this.errors.push(error);
  }
}

class Recorder implements TransportEvents {
  text = "";
  ended = false;
  readonly errors: unknown[] = [];
  data(chunk: Uint8Array): void {
    this.text += new TextDecoder().decode(chunk);
  }
  end(): void {
    this.ended = true;
  }
  error(error: unknown): void {
    this.errors.push(error);
  }
}

const open: ListenerTransport[] = [];
afterEach(async () => {
  for (const listener of open.splice(0)) await listener.close();
});

function request(overrides: Partial<ListenRequest> = {}): ListenRequest {
  return {
    hostname: "127.0.0.1",
    port: 0,
    tls: null,
    starttls: null,
    allowHalfOpen: false,
    backlog: undefined,
    ipv6Only: false,
    reusePort: false,
    ...overrides,
  };
}

async function openListener(events: ListenerEvents, overrides: Partial<ListenRequest> = {}): Promise<ListenerTransport> {
  const listener = await openBunListener(request(overrides), events);
  open.push(listener);
  return listener;
}

let serverTls: ServerTlsRequest;
beforeAll(async () => {
  serverTls = {
    role: "server",
    cert: await pem("leaf"),
    key: await pem("leaf-key"),
    alpn: [],
    requestCert: false,
    caCerts: [],
    handshakeTimeout: 200,
  };
});

describe("openBunListener (the listener seam)", () => {
  test("delivers an open, unread connection whose info names both ends; reading starts at the first pull", async () => {
    const events = new Events();
    const listener = await openListener(events);
    const port = portOf(listener.localAddress);
    const client = await rawClient(port);
    client.socket.write("hi");
    await until(() => events.accepted.length === 1, 2_000, "the connection");
    const accepted = events.accepted[0]!;
    expect(accepted.info).toEqual({ remoteAddress: `127.0.0.1:${client.socket.localPort}`, localAddress: `127.0.0.1:${port}`, alpn: null });
    const recorder = new Recorder();
    const transport = accepted.attach(recorder);
    await Bun.sleep(50);
    expect(recorder.text).toBe(""); // nothing before the first pull
    transport.pull(null);
    await until(() => recorder.text === "hi", 2_000, "the bytes after pull()");
    transport.close();
  });

  test("abort() resets the connection (the client sees ECONNRESET)", async () => {
    const events = new Events();
    const listener = await openListener(events);
    const client = await rawClient(portOf(listener.localAddress));
    await until(() => events.accepted.length === 1, 2_000, "the connection");
    events.accepted[0]!.abort();
    const error = await within(client.closed, 2_000, "the client's close");
    expect((error as { code?: string } | undefined)?.code).toBe("ECONNRESET");
  });

  test("a busy port rejects the open with the native EADDRINUSE; backlog is a synchronous EINVAL", async () => {
    const first = await openListener(new Events());
    const error = await rejection(openBunListener(request({ port: portOf(first.localAddress) }), new Events()));
    expect((error as { code?: string }).code).toBe("EADDRINUSE");
    expect(() => openBunListener(request({ backlog: 8 }), new Events())).toThrow(SocketError);
  });

  test("a handshake that times out is events.failed with ETLS, never a connection", async () => {
    const events = new Events();
    const listener = await openListener(events, { tls: serverTls });
    const silent = await rawClient(portOf(listener.localAddress));
    await until(() => events.failures.length === 1, 2_000, "the failure");
    expect(events.failures[0]).toBeInstanceOf(SocketError);
    expect((events.failures[0] as SocketError).code).toBe("ETLS");
    expect(events.accepted).toHaveLength(0);
    await within(silent.closed, 2_000, "the silent client's close");
  });

  test("close() releases the port, keeps an attached connection open, and reports nothing after", async () => {
    const events = new Events();
    const listener = await openListener(events);
    const port = portOf(listener.localAddress);
    const client = await rawClient(port);
    await until(() => events.accepted.length === 1, 2_000, "the connection");
    const recorder = new Recorder();
    const transport = events.accepted[0]!.attach(recorder);
    transport.pull(null);
    await listener.close();
    const again = await openListener(events, { port }); // the port is free
    await again.close();
    client.socket.write("after close");
    await until(() => recorder.text === "after close", 2_000, "bytes on the kept connection");
    await transport.write(new TextEncoder().encode("reply"));
    await until(() => client.received() === "reply", 2_000, "the reply");
    transport.close();
    expect(events.accepted).toHaveLength(1);
    expect(events.errors).toHaveLength(0);
  });
});

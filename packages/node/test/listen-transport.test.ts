/**
 * `openNodeListener` against the listener seam's contract (`listener-transport.ts` in core),
 * without core's Listener on top: what reaches `events`, `attach`, `abort` and `close`.
 */
import * as net from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SocketError, type AcceptedConnection, type ListenerEvents, type ListenerTransport, type ListenRequest } from "@sockets/core";
import { openNodeListener } from "../src/open-node-listener.js";
import { createTestPki } from "./_pki.js";
import { Recorder, until } from "./_harness.js";
import { outcome, portOf, Tracked } from "./_listen-harness.js";

const pki = createTestPki();
afterAll(() => pki.dispose());
const t = new Tracked();
const open: ListenerTransport[] = [];
afterEach(async () => {
  for (const listener of open.splice(0)) await listener.close();
});

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
  const listener = await openNodeListener(request(overrides), events);
  open.push(listener);
  return listener;
}

describe("openNodeListener (the listener seam)", () => {
  it("delivers an open, unread connection whose info names both ends; attach makes a Transport", async () => {
    const events = new Events();
    const listener = await openListener(events);
    const port = portOf(listener.localAddress);
    const client = await t.dial(port);
    client.write("hi");
    await until(() => events.accepted.length === 1, "the connection");
    const accepted = events.accepted[0]!;
    expect(accepted.info).toEqual({ remoteAddress: `127.0.0.1:${client.localPort}`, localAddress: `127.0.0.1:${port}`, alpn: null });
    const recorder = new Recorder();
    const transport = accepted.attach(recorder);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(recorder.bytes).toBe(0); // nothing read before the first pull (pauseOnConnect)
    transport.pull(null);
    await recorder.waitText("hi");
    await transport.write(new TextEncoder().encode("yo"));
    const result = outcome(client);
    await transport.close();
    expect(await result).toMatchObject({ ended: true, data: "yo" });
  });

  it("abort() resets a connection that was never attached", async () => {
    const events = new Events();
    const listener = await openListener(events);
    const client = await t.dial(portOf(listener.localAddress));
    const result = outcome(client);
    await until(() => events.accepted.length === 1, "the connection");
    events.accepted[0]!.abort();
    expect((await result).error?.code).toBe("ECONNRESET");
  });

  it("reports failed TLS handshakes to events.failed as SocketError ETLS", async () => {
    const events = new Events();
    const tls = {
      role: "server",
      cert: pki.leaf.cert,
      key: pki.leaf.key,
      alpn: [],
      requestCert: false,
      caCerts: [],
      handshakeTimeout: 5_000,
    } as const;
    const listener = await openListener(events, { tls });
    const client = await t.dial(portOf(listener.localAddress));
    client.write("not a ClientHello\r\n");
    await until(() => events.failures.length === 1, "the failed handshake");
    expect(events.failures[0]).toBeInstanceOf(SocketError);
    expect(events.failures[0]).toMatchObject({ code: "ETLS" });
    expect(events.accepted).toHaveLength(0);
    expect(events.errors).toHaveLength(0);
  });

  it("close() resolves while an attached connection stays open, and no event follows", async () => {
    const events = new Events();
    const listener = await openListener(events);
    const port = portOf(listener.localAddress);
    const client = await t.dial(port);
    await until(() => events.accepted.length === 1, "the connection");
    const recorder = new Recorder();
    const transport = events.accepted[0]!.attach(recorder);
    await listener.close();
    const refused = await outcome(t.client(net.connect({ host: "127.0.0.1", port })));
    expect(refused.error?.code).toBe("ECONNREFUSED");
    expect(events.accepted).toHaveLength(1);
    client.write("after close");
    transport.pull(null);
    await recorder.waitText("after close");
    transport.abort();
  });

  it("rejects the open with the native EADDRINUSE", async () => {
    const events = new Events();
    const first = await openListener(events);
    await expect(openNodeListener(request({ port: portOf(first.localAddress) }), events)).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(events.errors).toHaveLength(0);
  });
});

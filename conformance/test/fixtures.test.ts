/** The fixture peers speak the protocols documented in src/cases/types.ts (checked with node:net/tls). */
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { describe, expect, inject, it } from "vitest";
import { SOURCE_BYTES } from "../src/cases/types.js";
import { startFixtures, unusedPort } from "../src/fixtures/index.js";

const { peers, privateCa } = inject("fixtures");
const hp = (a: string): { host: string; port: number } => ({
  host: a.slice(0, a.lastIndexOf(":")).replace(/^\[|\]$/g, ""),
  port: Number(a.slice(a.lastIndexOf(":") + 1)),
});

function dial(address: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ ...hp(address), allowHalfOpen: true });
    s.once("connect", () => resolve(s)).once("error", reject);
  });
}
function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    s.on("data", (c: Buffer) => chunks.push(c))
      .once("end", () => resolve(Buffer.concat(chunks)))
      .once("error", reject);
  });
}

describe("plain peers", () => {
  it("echo, sink and halfClose", async () => {
    const e = await dial(peers.echo);
    e.end("ping");
    expect((await collect(e)).toString()).toBe("ping");
    const s = await dial(peers.sink);
    s.end(Buffer.alloc(12345));
    expect((await collect(s)).toString()).toBe("12345");
    const h = await dial(peers.halfClose);
    h.end("after fin");
    expect((await collect(h)).toString()).toBe("after fin");
  });
  it("source sends SOURCE_BYTES of the pattern", async () => {
    const s = await dial(peers.source);
    const all = await collect(s);
    expect(all.length).toBe(SOURCE_BYTES);
    expect(all[257]).toBe(1);
  });
  it("record / greetReport and reportQuery", async () => {
    const r = await dial(peers.greetReport);
    const greeting = await new Promise<string>((res) => r.once("data", (c: Buffer) => res(c.toString())));
    expect(greeting).toMatch(/^hello \d+\n$/);
    r.end("recorded");
    const q = await dial(peers.reportQuery);
    q.end(`${greeting.slice(6)}`);
    expect((await collect(q)).toString()).toBe("recorded");
  });
  it("countedSource reports progress and bounds it while the client is paused", async () => {
    const c = await dial(peers.countedSource);
    c.pause();
    c.write("abc-1\n");
    await new Promise((r) => setTimeout(r, 500));
    const q = await dial(peers.sourceProgress);
    q.end("abc-1\n");
    const progress = Number((await collect(q)).toString());
    expect(progress).toBeGreaterThan(0);
    expect(progress).toBeLessThan(SOURCE_BYTES / 2);
    c.destroy();
  });
  it("unusedPort: below the ephemeral range, refused for TCP, free for UDP", async () => {
    const [low] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    const tcp = await unusedPort("tcp", "127.0.0.1");
    expect(tcp).toBeLessThan(low!);
    await expect(dial(`127.0.0.1:${tcp}`)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const udp = await unusedPort("udp4", "127.0.0.1");
    expect(udp).toBeLessThan(low!);
    const socket = createSocket("udp4");
    await new Promise<void>((resolve, reject) => socket.once("error", reject).bind(udp, "127.0.0.1", () => resolve()));
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  });
  it("refused refuses; resetOnData resets", async () => {
    await expect(dial(peers.refused)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const s = await dial(peers.resetOnData);
    s.write("x");
    await expect(collect(s)).rejects.toMatchObject({ code: "ECONNRESET" });
  });
  it("pausedSink replies count and sha-256", async () => {
    const s = await dial(peers.pausedSink);
    s.end("abc");
    expect((await collect(s)).toString()).toBe("3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n");
  });
});

describe("TLS peers", () => {
  it("tlsInfo reports SNI and ALPN, then echoes", async () => {
    const s = tlsConnect({ host: "127.0.0.1", port: hp(peers.tlsInfo).port, servername: "localhost", ALPNProtocols: ["x-test"] });
    const all = collect(s);
    s.end("echo me");
    const text = (await all).toString();
    expect(text).toBe('{"sni":"localhost","alpn":"x-test"}\necho me');
  });
  it("tlsPrivate is trusted only with the private CA", async () => {
    const s = tlsConnect({ host: "127.0.0.1", port: hp(peers.tlsPrivate).port, servername: "localhost", ca: [privateCa] });
    await new Promise((res, rej) => s.once("secureConnect", res).once("error", rej));
    s.destroy();
    const bad = tlsConnect({ host: "127.0.0.1", port: hp(peers.tlsPrivate).port, servername: "localhost" });
    await expect(new Promise((res, rej) => bad.once("secureConnect", res).once("error", rej))).rejects.toThrow();
  });
  it("starttls: PLAIN echo, OK, then TLS echo", async () => {
    const raw = await dial(peers.starttls);
    raw.write("hi\nSTARTTLS\n");
    const got = await new Promise<string>((res) => {
      let acc = "";
      raw.on("data", function on(c: Buffer) {
        acc += c.toString();
        if (acc.endsWith("OK\n")) {
          raw.off("data", on);
          res(acc);
        }
      });
    });
    expect(got).toBe("PLAIN hi\nOK\n");
    const secure = tlsConnect({ socket: raw, servername: "localhost" });
    await new Promise((res, rej) => secure.once("secureConnect", res).once("error", rej));
    const all = collect(secure);
    secure.end("secret");
    expect((await all).toString()).toBe("secret");
  });
});

describe("startFixtures", () => {
  it("closes everything, even with connections still open", async () => {
    const fixtures = await startFixtures();
    const held = await Promise.all([dial(fixtures.peers.slowReader), dial(fixtures.peers.silent)]);
    const ended = held.map((s) => new Promise((r) => s.once("end", r).once("error", r).resume()));
    await fixtures.close();
    await Promise.all(ended);
    await expect(dial(fixtures.peers.echo)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await fixtures.close(); // idempotent
    for (const s of held) s.destroy();
  });
});

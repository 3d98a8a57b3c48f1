/**
 * The fast loop: every portable case against `@sockets/node`, in-process, with the
 * fixtures started once by global-setup.ts (which also makes this worker trust the test
 * CA through NODE_EXTRA_CA_CERTS). `SOCKETS_CONNECT_MODULE` swaps in another module
 * exporting `connect` (e.g. `@arrowood.dev/socket`) to see the cases judge it.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Connect, Listen, Serve, Udp } from "@sockets/core";
import { cases } from "../src/cases/index.js";
import type { CaseContext } from "../src/cases/types.js";
import { InboundHub } from "../src/runners/inbound.js";

const MODULE = process.env.SOCKETS_CONNECT_MODULE ?? "@sockets/node";
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
// Loaded at collection time: cases the module cannot run (no listen(), no udp()) are not collected.
const impl = (await import(MODULE)) as { connect: Connect; listen?: Listen; udp?: Udp; serve?: Serve };
const { connect, listen, udp, serve } = impl;
const runnable = cases.filter(
  (c) =>
    (!c.tags.includes("server") || listen !== undefined) &&
    (!c.tags.includes("udp") || udp !== undefined) &&
    (!c.tags.includes("socket-worker") || serve !== undefined),
);
// The socket-worker cases' Socket Worker: the module's own serve(), as the CLI's runners do.
const inbound = serve === undefined ? undefined : new InboundHub();
let stopWorker: () => Promise<void> = async () => {};

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  if (serve !== undefined && inbound !== undefined) {
    const server = serve(
      { connect: (socket) => inbound.connect(socket) },
      { address: "127.0.0.1:0", onError: () => {}, closeTimeout: 1_000 },
    );
    inbound.address = (await server.opened).localAddress;
    stopWorker = () => server.close();
  }
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await stopWorker();
});

describe(`conformance cases against ${MODULE}`, () => {
  const fixtures = inject("fixtures");
  for (const testCase of runnable) {
    const timeout = testCase.timeout ?? 10_000;
    it(testCase.id, { timeout: timeout + 2_000 }, async () => {
      unhandled.length = 0;
      const ctx: CaseContext = {
        connect,
        listen,
        udp,
        peers: fixtures.peers,
        privateCa: fixtures.privateCa,
        serverTls: fixtures.serverTls,
        inbound,
        signal: AbortSignal.timeout(timeout),
      };
      await testCase.run(ctx);
      await new Promise((resolve) => setTimeout(resolve, 20)); // let late rejections surface
      expect(unhandled, "unhandled rejections during the case").toEqual([]);
    });
  }
});

it("case ids are unique kebab area/what", () => {
  const ids = cases.map((c) => c.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  for (const c of cases) {
    expect(c.tags.length).toBeGreaterThan(0);
    const checksCode = c.run.toString().includes('"E') || /code/.test(c.title);
    if (checksCode && c.tags.includes("spec")) throw new Error(`${c.id} looks like it checks a code but is tagged spec`);
  }
});

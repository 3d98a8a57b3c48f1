/**
 * The runner loop's bookkeeping for `server` and `udp` cases, with a fake implementation:
 * the skip rule (a module without `listen()`/`udp()`), and stray rejections of accepted
 * sockets charged to the case that accepted them, however it read the listener.
 */
import { describe, expect, it } from "vitest";
import type { Connect, Listen, Listener, Socket } from "@sockets/core";
import { createCaseRunner } from "../src/runners/run-cases.js";
import { decodeEvent, type RunnerConfig, type RunnerEvent } from "../src/runners/protocol.js";
import type { ConformanceCase } from "../src/cases/types.js";

const connect: Connect = () => {
  throw new Error("not used");
};

/** A socket whose `closed` rejects `afterMs` from now (handled nowhere: a stray). */
function fakeSocket(afterMs: number): Socket {
  const closed = new Promise<void>((_, reject) => setTimeout(() => reject(new Error("late reset")), afterMs));
  return { opened: new Promise(() => {}), closed } as unknown as Socket;
}

/** A listener shaped as core's: a pull stream of sockets, iterating through the stream. */
function fakeListen(sockets: Socket[]): Listen {
  return () => {
    const readable = new ReadableStream<Socket>(
      {
        pull(controller) {
          const next = sockets.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(next);
        },
      },
      { highWaterMark: 0 },
    );
    return {
      readable,
      opened: Promise.resolve({ localAddress: "127.0.0.1:1" }),
      closed: Promise.resolve(),
      stats: { accepted: 0, dropped: 0, failed: 0 },
      close: () => Promise.resolve(),
      [Symbol.asyncDispose]: () => Promise.resolve(),
      [Symbol.asyncIterator]: () => (readable as unknown as AsyncIterable<Socket>)[Symbol.asyncIterator](),
    } as Listener;
  };
}

async function run(cases: ConformanceCase[], listen: Listen | undefined): Promise<RunnerEvent[]> {
  const events: RunnerEvent[] = [];
  await createCaseRunner({
    cases,
    connect,
    listen,
    config: config(cases),
    runtime: "test",
    write: (line) => void events.push(decodeEvent(line)!),
  }).run();
  return events;
}

function config(cases: readonly ConformanceCase[]): RunnerConfig {
  return {
    peers: {} as RunnerConfig["peers"],
    privateCa: "",
    serverTls: { cert: "", key: "" },
    ids: cases.map((c) => c.id),
    defaultTimeout: 2_000,
    settleMs: 25,
  };
}

const later = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("createCaseRunner with listen()", () => {
  it("skips server and udp cases when the module has neither, with the reason", async () => {
    const cases: ConformanceCase[] = [
      { id: "server/x", title: "x", tags: ["server"], run: () => Promise.reject(new Error("must not run")) },
      { id: "udp/y", title: "y", tags: ["udp"], run: () => Promise.reject(new Error("must not run")) },
    ];
    const events = await run(cases, undefined);
    const results = events.filter((e) => e.type === "result");
    expect(results.map((e) => [e.id, e.status, e.error?.message])).toEqual([
      ["server/x", "skip", "the module under test exports no listen()"],
      ["udp/y", "skip", "the module under test exports no udp()"],
    ]);
  });

  for (const how of ["for await over the listener", "readable.values()", "readable.getReader()"] as const) {
    it(`charges a late rejection of an accepted socket's closed to the case that accepted it (${how})`, async () => {
      const sockets = [fakeSocket(100)];
      const listen = fakeListen(sockets);
      const strays: Promise<unknown>[] = [];
      const cases: ConformanceCase[] = [
        {
          id: "server/accepts",
          title: "accepts one socket and finishes",
          tags: ["server"],
          async run(ctx) {
            const listener = ctx.listen!("127.0.0.1:0");
            let socket: Socket | undefined;
            if (how === "for await over the listener") {
              for await (const s of listener) {
                socket = s;
                break;
              }
            } else if (how === "readable.values()") {
              for await (const s of (listener.readable as unknown as { values(): AsyncIterable<Socket> }).values()) {
                socket = s;
                break;
              }
            } else {
              socket = (await listener.readable.getReader().read()).value;
            }
            // The runtime would report the rejection as unhandled; here the test does.
            strays.push(socket!.closed.catch(() => runner.stray(new Error("late reset"), undefined, socket!.closed)));
          },
        },
        { id: "server/next", title: "runs while the rejection surfaces", tags: ["server"], run: () => later(300) },
      ];
      const events: RunnerEvent[] = [];
      const runner = createCaseRunner({
        cases,
        connect,
        listen,
        config: config(cases),
        runtime: "test",
        write: (line) => void events.push(decodeEvent(line)!),
      });
      await runner.run();
      await Promise.all(strays);
      const results = Object.fromEntries(events.filter((e) => e.type === "result").map((e) => [e.id, e.status]));
      expect(results).toEqual({ "server/accepts": "pass", "server/next": "pass" });
      const late = events.filter((e) => e.type === "late");
      expect(late.map((e) => e.id)).toEqual(["server/accepts"]);
      expect(late[0]?.type === "late" && late[0].error.message).toMatch(/Unhandled rejection of `socket\.closed`: Error: late reset/);
    });
  }

  it("charges a late rejection of the socket startTls() returns to the case that upgraded", async () => {
    const upgraded = fakeSocket(100);
    const plain = { opened: new Promise(() => {}), closed: new Promise(() => {}), startTls: () => upgraded } as unknown as Socket;
    const strays: Promise<unknown>[] = [];
    const cases: ConformanceCase[] = [
      {
        id: "server/upgrades",
        title: "upgrades and finishes",
        tags: ["server"],
        async run(ctx) {
          const socket = (await ctx.listen!("127.0.0.1:0").readable.getReader().read()).value!;
          const secure = socket.startTls();
          strays.push(secure.closed.catch(() => runner.stray(new Error("late reset"), undefined, secure.closed)));
        },
      },
      { id: "server/next", title: "runs while the rejection surfaces", tags: ["server"], run: () => later(300) },
    ];
    const events: RunnerEvent[] = [];
    const runner = createCaseRunner({
      cases,
      connect,
      listen: fakeListen([plain]),
      config: config(cases),
      runtime: "test",
      write: (line) => void events.push(decodeEvent(line)!),
    });
    await runner.run();
    await Promise.all(strays);
    expect(events.filter((e) => e.type === "late").map((e) => e.id)).toEqual(["server/upgrades"]);
  });
});

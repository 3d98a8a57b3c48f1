/**
 * Half-close in both directions: our FIN (closing the writable) and the peer's FIN, with
 * `allowHalfOpen` false (the default) and true.
 *
 * @module
 */
import { equal, rejects } from "./assert.js";
import { fetchReport } from "./_flows.js";
import { ByteReader, bytes, dispose, pattern, stateAfter, text, withTimeout } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** Cases for half-open connections. */
export const halfOpenCases: readonly ConformanceCase[] = [
  {
    id: "half-open/peer-fin-closes-socket",
    title: "allowHalfOpen false: after the peer's FIN the readable ends, closed resolves and writes fail",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.greet);
      try {
        const reader = new ByteReader(socket.readable);
        equal(text(await reader.rest()), "hello\n", "greeting then end");
        await withTimeout(socket.closed, 3_000, "closed after the peer's FIN");
        await rejects(socket.writable.getWriter().write(bytes("too late")), "write after the automatic close");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "half-open/peer-fin-keeps-writable",
    title: "allowHalfOpen true: after the peer's FIN the readable ends and writes still reach the peer",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(peers.greetReport, { allowHalfOpen: true });
      let id = "";
      try {
        const reader = new ByteReader(socket.readable);
        const greeting = text(await reader.rest());
        equal(/^hello \S+\n$/.test(greeting), true, `greeting "hello <id>\\n", got ${JSON.stringify(greeting)}`);
        id = greeting.slice(6, -1);
        const writer = socket.writable.getWriter();
        await writer.write(bytes("written after your FIN"));
        await writer.close();
      } finally {
        await dispose(socket);
      }
      equal(text(await fetchReport(connect, peers.reportQuery, id)), "written after your FIN", "bytes the peer received");
    },
  },
  {
    id: "half-open/closed-waits-for-both-sides",
    title: "allowHalfOpen true: closed stays pending after the peer's FIN and resolves once our writable closes",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.greetReport, { allowHalfOpen: true });
      try {
        await new ByteReader(socket.readable).rest();
        equal(await stateAfter(socket.closed, 300), "pending", "closed after the peer's FIN only");
        await socket.writable.close();
        await withTimeout(socket.closed, 3_000, "closed after both sides ended");
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "half-open/writable-close-sends-fin",
    title: "closing the writable sends FIN: the peer replies after it, the readable ends and closed resolves",
    tags: ["decision"],
    async run({ connect, peers }) {
      const socket = connect(peers.halfClose);
      try {
        const payload = pattern(100_000, 9);
        const writer = socket.writable.getWriter();
        await writer.write(payload);
        await writer.close();
        const back = await new ByteReader(socket.readable).rest();
        equal(back.byteLength, payload.byteLength, "bytes replied after our FIN");
        equal(
          back.every((b, i) => b === payload[i]),
          true,
          "reply equals what we sent",
        );
        await withTimeout(socket.closed, 3_000, "closed after both sides ended");
      } finally {
        await dispose(socket);
      }
    },
  },
];

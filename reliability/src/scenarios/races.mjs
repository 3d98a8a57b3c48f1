/**
 * Races: `close()` during connect, during `startTls()`, with writes pending (graceful:
 * everything accepted reaches the peer, checked in the ledger; with a reason: the pending
 * writes reject with it), with a BYOB read pending; the `signal` aborting at each stage;
 * and `startTls()` while the peer is still sending plain text (plain bytes are never
 * delivered as TLS data, and never a plain-text fallback).
 *
 * @module
 */
import {
  check,
  isSocketError,
  ledgerId,
  ledgerQuery,
  pattern,
  readLine,
  rejection,
  settle,
  sha256,
  sleep,
  utf8,
  within,
} from "./_util.mjs";

const SECRET = "RELIABILITY-SECRET-7f3a9c";

/** Opens the STARTTLS front door of the good certificate and sends the preamble. */
async function _door(connect, config, address, options = {}) {
  const id = ledgerId(config, "race");
  const plain = connect(address.replace("127.0.0.1", "localhost"), { secureTransport: "starttls", ...options });
  const writer = plain.writable.getWriter();
  await writer.write(utf8(`${id}\nSTARTTLS\n`));
  writer.releaseLock();
  return { id, plain };
}

export const raceScenarios = [
  {
    id: "race/close-during-connect",
    group: "race",
    title: "close() while connecting: opened rejects ECLOSED, closed resolves, bounded (blackhole and loopback)",
    async run({ connect, config, note }) {
      const targets = [config.peers.echo, config.peers.silent];
      if (config.peers.blackhole !== null) targets.push(config.peers.blackhole);
      for (const address of targets) {
        const socket = connect(address);
        const closing = socket.close();
        check(closing === socket.closed, "close() returns the closed promise");
        isSocketError(await rejection(socket.opened, 3_000, "opened"), "ECLOSED", `opened (${address})`);
        await within(closing, 3_000, "closed");
      }
      note("blackhole", config.peers.blackhole !== null);
    },
  },
  {
    id: "race/close-during-starttls",
    group: "race",
    title: "close() on the new socket right after startTls(): its opened rejects ECLOSED, both closed promises settle",
    async run({ connect, config }) {
      const { plain } = await _door(connect, config, config.matrix.starttls.good);
      const secure = plain.startTls();
      const closing = secure.close();
      isSocketError(await rejection(secure.opened, 4_000, "new opened"), "ECLOSED", "new opened");
      await within(closing, 4_000, "new closed");
      await within(plain.closed, 4_000, "old closed");
    },
  },
  {
    id: "race/graceful-close-flushes-pending-writes",
    group: "race",
    title: "close() with 4 MiB of writes pending: every accepted byte reaches the peer (ledger count and SHA-256)",
    async run({ connect, config, note }) {
      const id = ledgerId(config, "flush");
      const socket = connect(config.ledger.recorder);
      await within(socket.opened, 3_000, "opened"); // close() before opened cancels the connect (documented)
      const writer = socket.writable.getWriter();
      const data = pattern(4 << 20, 5);
      const writes = [writer.write(utf8(`${id}\n`))];
      for (let at = 0; at < data.byteLength; at += 65_536) writes.push(writer.write(data.subarray(at, at + 65_536)));
      await within(socket.close(), 15_000, "graceful close");
      const results = await within(Promise.allSettled(writes), 5_000, "the pending writes");
      const rejected = results.filter((r) => r.status === "rejected");
      check(
        rejected.length === 0,
        `${rejected.length} of ${writes.length} writes accepted before close() were rejected (${rejected[0]?.reason?.message})`,
      );
      const ledger = await ledgerQuery(connect, config, id);
      check(ledger.bytes === data.byteLength, `the peer received ${ledger.bytes} of ${data.byteLength} bytes`);
      check(ledger.sha256 === (await sha256(data)), "the peer's SHA-256 differs");
      note("bytes", ledger.bytes);
    },
  },
  {
    id: "race/abortive-close-with-writes-pending",
    group: "race",
    title: "close(reason) with writes stuck on a peer that never reads: pending writes reject with the reason, closed resolves at once",
    async run({ connect, config, note }) {
      const socket = connect(config.peers.slowReader);
      await within(socket.opened, 3_000, "opened");
      const writer = socket.writable.getWriter();
      let doneBeforeClose = 0;
      let closing = false;
      let resolvedAfterClose = 0;
      const writes = Array.from({ length: 32 }, () =>
        writer.write(new Uint8Array(1 << 20)).then(() => (closing ? resolvedAfterClose++ : doneBeforeClose++)),
      );
      await sleep(100);
      const reason = new Error("give up");
      closing = true;
      await within(socket.close(reason), 3_000, "abortive close");
      const results = await within(Promise.allSettled(writes), 3_000, "pending writes");
      const rejected = results.filter((r) => r.status === "rejected");
      note("writesDoneBeforeClose", doneBeforeClose);
      check(resolvedAfterClose === 0, `${resolvedAfterClose} write(s) pending at close(reason) resolved as written afterwards`);
      check(rejected.length > 0, "no pending write was rejected");
      const other = rejected.find((r) => r.reason !== reason);
      note("rejectedWrites", rejected.length);
      check(
        other === undefined,
        `${rejected.filter((r) => r.reason !== reason).length} of ${rejected.length} pending write rejected with ${other?.reason?.constructor?.name} ${other?.reason?.code ?? ""}: ${other?.reason?.message} instead of the reason`,
      );
    },
  },
  {
    id: "race/close-with-byob-read-pending",
    group: "race",
    title: "close() with a BYOB read pending resolves it done; close(reason) rejects it with the reason",
    async run({ connect, config }) {
      for (const reason of [undefined, new Error("stop")]) {
        const socket = connect(config.peers.echo);
        await within(socket.opened, 3_000, "opened");
        const reader = socket.readable.getReader({ mode: "byob" });
        const read = reader.read(new Uint8Array(64));
        await sleep(20);
        await within(socket.close(reason), 3_000, "close");
        const result = await settle(read, 3_000, "pending BYOB read");
        if (reason === undefined) check(result.ok && result.value.done === true, "graceful close did not end the BYOB read");
        else check(!result.ok && result.error === reason, "close(reason) did not reject the BYOB read with the reason");
      }
    },
  },
  {
    id: "race/signal-at-each-stage",
    group: "race",
    title:
      "the signal aborting before connect, while connecting, during the TLS handshake, when open, after startTls(), after close: EABORTED or no effect, bounded",
    async run({ connect, config, note }) {
      const stages = [];
      // before
      const before = connect(config.peers.echo, { signal: AbortSignal.abort(new Error("before")) });
      isSocketError(await rejection(before.opened, 3_000, "opened"), "EABORTED", "already aborted");
      stages.push("before");
      // while connecting (blackhole if the machine has one, else a plain connect aborted at once)
      const c1 = new AbortController();
      const connecting = connect(config.peers.blackhole ?? config.peers.echo, { signal: c1.signal });
      c1.abort(new Error("connecting"));
      isSocketError(await rejection(connecting.opened, 3_000, "opened"), "EABORTED", "while connecting");
      stages.push("connecting");
      // during the TLS handshake (a peer that never speaks)
      const c2 = new AbortController();
      const handshake = connect(config.peers.silent.replace("127.0.0.1", "localhost"), { secureTransport: "on", signal: c2.signal });
      setTimeout(() => c2.abort(new Error("handshake")), 50);
      isSocketError(await rejection(handshake.opened, 3_000, "opened"), "EABORTED", "during the handshake");
      stages.push("handshake");
      // open, read pending
      const c3 = new AbortController();
      const open = connect(config.peers.echo, { signal: c3.signal });
      await within(open.opened, 3_000, "opened");
      const read = open.readable.getReader().read();
      c3.abort(new Error("open"));
      isSocketError(await rejection(read, 3_000, "read"), "EABORTED", "when open");
      isSocketError(await rejection(open.closed, 3_000, "closed"), "EABORTED", "closed when open");
      stages.push("open");
      // after startTls(): whatever happens, both sockets settle, with SocketErrors only
      const c4 = new AbortController();
      const { plain } = await _door(connect, config, config.matrix.starttls.good, { signal: c4.signal });
      const secure = plain.startTls();
      c4.abort(new Error("upgrade"));
      const opened = await settle(secure.opened, 4_000, "new opened");
      if (!opened.ok) isSocketError(opened.error, ["EABORTED", "ECLOSED"], "new opened");
      note("afterStartTls", opened.ok ? "upgraded socket unaffected" : opened.error.code);
      await settle(secure.close(), 4_000, "new close");
      await settle(plain.closed, 4_000, "old closed");
      stages.push("startTls");
      // after close: nothing happens
      const c5 = new AbortController();
      const closed = connect(config.peers.echo, { signal: c5.signal });
      await within(closed.opened, 3_000, "opened");
      await within(closed.close(), 3_000, "close");
      c5.abort(new Error("late"));
      await within(closed.closed, 1_000, "closed stays resolved");
      stages.push("closed");
      note("stages", stages.length);
    },
  },
  {
    id: "race/starttls-while-peer-sends-plain-text",
    group: "race",
    title:
      "startTls() while the peer still sends 256 KiB of plain text: ETLS or a clean upgrade, never plain bytes as TLS data, never clear text out",
    async run({ connect, config, note }) {
      const { id, plain } = await _door(connect, config, config.matrix.flood);
      const secure = plain.startTls();
      const writer = secure.writable.getWriter();
      const write = writer.write(utf8(`${SECRET}\n`));
      const opened = await settle(secure.opened, 8_000, "opened");
      if (opened.ok) {
        await within(write, 4_000, "write over TLS");
        const reader = secure.readable.getReader();
        const { line } = await readLine(reader);
        check(line === SECRET, `over TLS got ${JSON.stringify(line?.slice(0, 40))} instead of the echo`);
        await secure.close();
        note("outcome", "upgraded");
      } else {
        note("outcome", isSocketError(opened.error, "ETLS", "opened"));
        await rejection(write, 2_000, "write after failed upgrade");
      }
      check(!(await ledgerQuery(connect, config, id)).secret, "clear text reached the peer");
    },
  },
];

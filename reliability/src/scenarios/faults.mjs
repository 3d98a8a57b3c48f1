/**
 * Fault injection through the loopback fault proxy (see `../fixtures/fault-proxy.mjs`):
 * RST mid-stream (plain and TLS; with our side open, and after our own FIN), a multi-second stall (plain and TLS), the connection
 * dropped during the TLS handshake (FIN and RST), a truncated TLS record, FIN while our
 * writes are pending, and a peer that accepts and never answers. For each: the right
 * `SocketError` code on `opened`/`closed`/the streams, settled within a bound, no
 * unhandled rejection (the harness), and every byte the reader got is the exact prefix of
 * what was sent (no byte reported delivered that was not; "bytes lost" counts the
 * shortfall on connections that claimed success, which must be 0).
 *
 * @module
 */
import { check, isSocketError, pattern, patternAt, readChecked, rejection, settle, within } from "./_util.mjs";

/**
 * Writes `size` pattern bytes to an echo through the proxy and reads back, checking every
 * byte. `halfClose`: close the writable (FIN) once the bytes are written, before the echo
 * is read; otherwise our side stays open while reading.
 */
async function _echoThrough(connect, address, size, tls, seed, halfClose = true) {
  const socket = connect(address.replace("127.0.0.1", tls ? "localhost" : "127.0.0.1"), tls ? { secureTransport: "on" } : {});
  const writer = socket.writable.getWriter();
  const written = settle(
    writer.write(pattern(size, seed)).then(() => (halfClose ? writer.close() : undefined)),
    30_000,
    "writes",
  );
  const read = await readChecked(socket.readable, (i) => patternAt(i, seed), 30_000, "echo through the proxy");
  const closed = await settle(socket.closed, 5_000, "closed");
  return { socket, read, closed, written: await written };
}

export const faultScenarios = [
  ...[false, true].flatMap((tls) =>
    [false, true].map((halfClose) => ({
      id: `fault/${halfClose ? "rst-after-half-close" : "rst-mid-stream"}/${tls ? "tls" : "plain"}`,
      group: "fault",
      title: `RST after 64 KiB of a 1 MiB ${tls ? "TLS " : ""}echo${halfClose ? ", after our own FIN" : ", our side still open"}: the read and closed reject ECONNRESET, the bytes before it are intact`,
      async run({ connect, config, note }) {
        const { read, closed } = await _echoThrough(connect, config.faults[tls ? "rstTls" : "rst"], 1 << 20, tls, 1, halfClose);
        if (read.error === undefined) note("bytesLost", (1 << 20) - read.bytes); // a truncation reported as a clean end
        check(
          read.error !== undefined,
          `the readable ended cleanly after ${read.bytes} bytes although the peer reset the connection (closed ${closed.ok ? "resolved" : "rejected"})`,
        );
        isSocketError(read.error, "ECONNRESET", "read after RST");
        check(!closed.ok, "closed resolved after a reset");
        isSocketError(closed.error, "ECONNRESET", "closed after RST");
        check(read.mismatch < 0, `byte ${read.mismatch} corrupted before the reset`);
        check(read.bytes < 1 << 20, "all bytes arrived although the connection was reset");
        note("bytesBeforeReset", read.bytes);
      },
    })),
  ),
  ...[false, true].map((tls) => ({
    id: `fault/stall/${tls ? "tls" : "plain"}`,
    group: "fault",
    title: `a ${tls ? "TLS " : ""}echo stalled for seconds mid-stream completes intact afterwards (no timeout, no loss)`,
    timeout: 30_000,
    async run({ connect, config, note }) {
      const size = 1 << 20;
      const started = performance.now();
      const { read, closed, written } = await _echoThrough(connect, config.faults[tls ? "stallTls" : "stall"], size, tls, 2);
      check(read.error === undefined, `read failed: ${read.error?.message}`);
      check(read.mismatch < 0 && read.bytes === size, `got ${read.bytes} of ${size} bytes, first bad at ${read.mismatch}`);
      check(written.ok, `writes failed: ${written.error?.message}`);
      check(closed.ok, `closed rejected: ${closed.error?.message}`);
      note("stallMs", config.faults.stallMs);
      note("elapsedMs", Math.round(performance.now() - started));
    },
  })),
  ...["fin", "rst"].map((how) => ({
    id: `fault/drop-in-handshake/${how}`,
    group: "fault",
    title: `the peer drops the connection (${how.toUpperCase()}) during the TLS handshake: opened and closed reject, nothing hangs`,
    async run({ connect, config, note }) {
      const socket = connect(config.faults[how === "fin" ? "dropFin" : "dropRst"].replace("127.0.0.1", "localhost"), {
        secureTransport: "on",
      });
      const opened = await rejection(socket.opened, 8_000, "opened");
      note("code", isSocketError(opened, ["ETLS", "ECONNRESET"], "opened"));
      check((await rejection(socket.closed, 2_000, "closed")) === opened, "closed rejects with the error of opened");
      await rejection(socket.readable.getReader().read(), 2_000, "read");
    },
  })),
  {
    id: "fault/truncated-tls-record",
    group: "fault",
    title: "a TLS record cut in half then FIN (no close_notify): the read errors, only whole records were delivered",
    async run({ connect, config, note }) {
      const { read, closed } = await _echoThrough(connect, config.faults.truncate, 256 * 1024, true, 3);
      check(read.mismatch < 0, `byte ${read.mismatch} corrupted`);
      check(read.bytes < 256 * 1024, "every byte arrived although a record was truncated");
      // The proxy relays two records of at least 8 KiB whole before the cut: an error before
      // their bytes were read is some other failure, not the truncation being detected.
      check(read.bytes >= 2 * 8_192, `only ${read.bytes} bytes before the error: the whole records before the cut were lost`);
      note("bytesBeforeTruncation", read.bytes);
      if (read.error === undefined) note("bytesLost", 256 * 1024 - read.bytes); // a truncation reported as a clean end
      check(
        read.error !== undefined,
        `the readable ended cleanly after a truncated record (${read.bytes} bytes): truncation is not detected`,
      );
      note("code", isSocketError(read.error, ["ETLS", "ECONNRESET"], "read after truncation"));
      check(!closed.ok, "closed resolved after a truncated record");
    },
  },
  {
    id: "fault/fin-while-writes-pending",
    group: "fault",
    title:
      "FIN (then reset) from a peer that never reads while our writes are pending: writes reject, closed settles, not everything is claimed sent",
    async run({ connect, config, note }) {
      const socket = connect(config.faults.finPending);
      const writer = socket.writable.getWriter();
      const chunk = new Uint8Array(1 << 20);
      const total = 64;
      let accepted = 0;
      const writes = [];
      for (let i = 0; i < total; i++) writes.push(writer.write(chunk).then(() => (accepted += chunk.byteLength)));
      const reader = socket.readable.getReader();
      const first = await settle(reader.read(), 8_000, "read");
      check(!first.ok || first.value.done, "the peer sent data");
      const results = await within(Promise.allSettled(writes), 10_000, "pending writes");
      const failed = results.filter((r) => r.status === "rejected");
      check(failed.length > 0, "every pending write resolved although the peer never read");
      for (const r of failed) isSocketError(r.reason, ["EPIPE", "ECONNRESET", "ECLOSED"], "pending write");
      const closed = await settle(socket.closed, 10_000, "closed");
      if (!closed.ok) note("closedCode", isSocketError(closed.error, ["ECONNRESET", "EPIPE"], "closed"));
      else note("closedCode", "resolved");
      check(accepted < total * chunk.byteLength, "all 64 MiB were reported written to a peer that read nothing");
      note("bytesAcceptedByKernel", accepted);
    },
  },
  ...[false, true].map((tls) => ({
    id: `fault/accept-never-answer/${tls ? "tls" : "plain"}`,
    group: "fault",
    title: `a peer that accepts and never answers: ${tls ? "the handshake" : "a pending read"} is ended by the signal (EABORTED) and by close() (ECLOSED), in bounded time`,
    async run({ connect, config }) {
      const address = config.faults.silent.replace("127.0.0.1", tls ? "localhost" : "127.0.0.1");
      const options = tls ? { secureTransport: "on" } : {};
      const a = connect(address, { ...options, signal: AbortSignal.timeout(300) });
      if (tls) {
        isSocketError(await rejection(a.opened, 3_000, "opened"), "EABORTED", "opened after abort");
      } else {
        await within(a.opened, 3_000, "opened");
        isSocketError(await rejection(a.readable.getReader().read(), 3_000, "pending read"), "EABORTED", "read after abort");
      }
      await rejection(a.closed, 3_000, "closed after abort");
      const b = connect(address, options);
      if (!tls) await within(b.opened, 3_000, "opened");
      const read = b.readable.getReader().read();
      await new Promise((r) => setTimeout(r, 100));
      await within(b.close(), 3_000, "close()");
      check((await within(read, 3_000, "pending read after close()")).done === true, "a graceful close ends the pending read");
      if (tls) isSocketError(await rejection(b.opened, 3_000, "opened"), "ECLOSED", "opened after close()");
    },
  })),
];

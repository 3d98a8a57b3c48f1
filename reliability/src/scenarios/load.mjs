/**
 * Load and leaks: many concurrent connections each echoing a payload checked byte for
 * byte; many sequential connections (plain and TLS) with open file descriptors and heap
 * after GC compared against a warmed-up baseline; and the soak (a mix of clean and faulty
 * connections for a fixed time, then the same leak check). Sizes come from the mode
 * (`--ci`, `--full`, `--soak`) and are printed in RELIABILITY.md.
 *
 * @module
 */
import { leakCheck as _leakCheck } from "./_leak.mjs";
import { check, isSocketError, patternAt, readChecked, settle, within } from "./_util.mjs";

/** One echo round trip of `size` bytes, checked; resolves the bytes verified. */
async function _echo(connect, address, size, seed, options = {}) {
  const socket = connect(address, options);
  const writer = socket.writable.getWriter();
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = patternAt(i, seed);
  const written = writer.write(data).then(() => writer.close());
  const read = await readChecked(socket.readable, (i) => patternAt(i, seed), 30_000, "echo");
  await within(written, 30_000, "write");
  await within(socket.closed, 10_000, "closed");
  check(
    read.error === undefined && read.mismatch < 0 && read.bytes === size,
    `echo of ${size} bytes: got ${read.bytes}, first bad byte ${read.mismatch}, error ${read.error?.message}`,
  );
  return size;
}

async function _sequential(connect, config, count, tls) {
  const address = tls ? config.peers.tls.replace("127.0.0.1", "localhost") : config.peers.echo;
  for (let i = 0; i < count; i++) await _echo(connect, address, 1024, i & 0xff, tls ? { secureTransport: "on" } : {});
}

/** One soak step: a clean or a faulty connection, chosen round-robin. */
async function _soakStep(connect, config, i, note) {
  switch (i % 5) {
    case 0:
      return _echo(connect, config.peers.echo, 64 * 1024, i & 0xff);
    case 1:
      return _echo(connect, config.peers.tls.replace("127.0.0.1", "localhost"), 16 * 1024, i & 0xff, { secureTransport: "on" });
    case 2: {
      const socket = connect(config.faults.rst);
      const writer = socket.writable.getWriter();
      void writer.write(new Uint8Array(256 * 1024)).catch(() => {});
      const read = await readChecked(socket.readable, () => 0, 10_000, "reset echo");
      const closed = await settle(socket.closed, 5_000, "closed");
      if (read.error === undefined) note("bytesLost", 256 * 1024 - read.bytes); // a reset reported as a clean end
      check(
        read.error !== undefined,
        `step ${i}: the readable ended cleanly after ${read.bytes} bytes although the peer reset the connection (closed ${closed.ok ? "resolved" : `rejected ${closed.error?.code}`})`,
      );
      isSocketError(read.error, "ECONNRESET", "soak reset");
      return 0;
    }
    case 3: {
      const socket = connect(config.faults.dropRst.replace("127.0.0.1", "localhost"), { secureTransport: "on" });
      await settle(socket.opened, 8_000, "opened");
      return 0;
    }
    default: {
      const socket = connect(config.peers.echo);
      await within(socket.close(), 3_000, "close during connect");
      return 0;
    }
  }
}

export const loadScenarios = [
  {
    id: "load/control/fd-count-sees-a-leak",
    group: "load",
    title: "control: ten sockets left open are seen by the fd count (the leak checks can fail)",
    async run({ connect, config, host, note }) {
      const before = await host.fds();
      const open = Array.from({ length: 10 }, () => connect(config.peers.echo));
      await within(Promise.all(open.map((s) => s.opened)), 5_000, "opened");
      const during = await host.fds();
      await Promise.all(open.map((s) => s.close()));
      note("fdsWithTenOpen", during - before);
      check(during - before >= 10, `ten open sockets moved the fd count by ${during - before} only`);
    },
  },
  {
    id: "load/concurrent-echo",
    group: "load",
    title: "many connections held open at once, each echoing a payload verified byte for byte",
    timeout: 240_000,
    async run({ connect, config, note }) {
      const { concurrent, concurrentBytes } = config.sizes;
      const sockets = [];
      for (let i = 0; i < concurrent; i += 100) {
        const wave = Array.from({ length: Math.min(100, concurrent - i) }, () => connect(config.peers.echo));
        await within(Promise.all(wave.map((s) => s.opened)), 30_000, "a wave of connects");
        sockets.push(...wave);
      }
      note("connectionsHeld", sockets.length);
      const verified = await Promise.all(
        sockets.map(async (socket, n) => {
          const writer = socket.writable.getWriter();
          const data = new Uint8Array(concurrentBytes);
          for (let i = 0; i < data.length; i++) data[i] = patternAt(i, n & 0xff);
          const written = writer.write(data).then(() => writer.close());
          const read = await readChecked(socket.readable, (i) => patternAt(i, n & 0xff), 120_000, "concurrent echo");
          await within(written, 120_000, "concurrent write");
          await within(socket.closed, 30_000, "closed");
          return read.error === undefined && read.mismatch < 0 && read.bytes === concurrentBytes ? read.bytes : -1;
        }),
      );
      const bad = verified.filter((v) => v < 0).length;
      note(
        "bytesVerified",
        verified.filter((v) => v > 0).reduce((a, b) => a + b, 0),
      );
      note("bytesLost", bad * concurrentBytes);
      check(bad === 0, `${bad} of ${concurrent} connections did not echo back intact`);
    },
  },
  ...[false, true].map((tls) => ({
    id: `load/sequential-${tls ? "tls" : "plain"}-no-leak`,
    group: "load",
    title: `many sequential ${tls ? "TLS " : ""}connections: open fds and heap after GC back to the baseline`,
    timeout: 240_000,
    async run({ connect, config, host, note }) {
      const count = tls ? config.sizes.sequentialTls : config.sizes.sequential;
      await _sequential(connect, config, 50, tls); // warm-up: JIT, TLS contexts, pools
      await _leakCheck(host, note, () => _sequential(connect, config, count, tls));
      note("connections", count);
    },
  })),
  {
    id: "load/soak",
    group: "load",
    title: "soak: clean and faulty connections in a loop for the mode's duration, then no leak",
    timeout: 900_000,
    async run({ connect, config, host, note }) {
      for (let i = 0; i < 25; i++) await _soakStep(connect, config, i, note);
      let steps = 0;
      let bytes = 0;
      let faults = 0;
      await _leakCheck(host, note, async () => {
        const end = performance.now() + config.sizes.soakSeconds * 1000;
        while (performance.now() < end) {
          if (steps % 5 === 2 || steps % 5 === 3) faults++;
          bytes += await _soakStep(connect, config, steps++, note);
        }
      });
      note("seconds", config.sizes.soakSeconds);
      note("connections", steps);
      note("faultsSurvived", faults);
      note("bytesVerified", bytes);
    },
  },
];

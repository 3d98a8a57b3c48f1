/**
 * The server side: a listener opened inside the runtime with our `listen()`, driven by
 * independent Node clients in the parent (`host.drive()`, fixtures/server-driver.mjs), so
 * neither side is our own code twice. Many concurrent clients held at once against one
 * listener and echoed byte for byte; many sequential accepts with open fds and heap back
 * to the baseline; TLS clients that vanish mid-handshake (counted in `stats.failed`, never
 * handed out, no fd left behind); slowloris clients that never send, which must not keep
 * a real client from being accepted and served. Sizes come from the mode.
 *
 * @module
 */
import { fdsSettle, leakCheck } from "./_leak.mjs";
import { check, sleep, within } from "./_util.mjs";

const SLOWLORIS_TIMEOUT_MS = 1_500;

/**
 * An echo server on `listener`: every accepted socket is echoed (`pipeTo` its own
 * writable) once `gate` resolves. Tracks accepted, live and peak sockets and echo errors.
 */
function _echoServer(listener, gate = Promise.resolve()) {
  const state = { accepted: 0, live: 0, peak: 0, errors: 0, firstError: null, loopError: null };
  const echo = async (socket) => {
    try {
      await socket.opened;
      await gate;
      await socket.readable.pipeTo(socket.writable);
      await socket.closed;
    } catch (error) {
      state.errors++;
      state.firstError ??= `${error?.name}: ${error?.message}`;
      await socket.close().catch(() => {});
    } finally {
      state.live--;
    }
  };
  state.loop = (async () => {
    for await (const socket of listener) {
      state.accepted++;
      state.peak = Math.max(state.peak, ++state.live);
      void echo(socket);
    }
  })().catch((error) => (state.loopError = error));
  /** Resolves once no accepted socket is open (bounded). */
  state.idle = async (ms = 10_000) => {
    const end = performance.now() + ms;
    while (state.live > 0 && performance.now() < end) await sleep(20);
    check(state.live === 0, `${state.live} accepted sockets still open ${ms} ms after the clients finished`);
  };
  state.stop = async () => {
    await within(listener.close(), 5_000, "listener.close()");
    await within(state.loop, 5_000, "the accept loop's end");
    check(state.loopError === null, `the accept loop failed: ${state.loopError?.message}`);
  };
  return state;
}

async function _open(listen, options = {}) {
  const listener = listen("127.0.0.1:0", { allowHalfOpen: true, ...options });
  const { localAddress } = await within(listener.opened, 5_000, "listener.opened");
  return { listener, target: localAddress };
}

function _tls(config, extra = {}) {
  return { secureTransport: "on", tls: { cert: config.serverTls.cert, key: config.serverTls.key }, ...extra };
}

/** Waits (bounded) until `predicate()`; returns whether it came true. */
async function _until(predicate, ms) {
  const end = performance.now() + ms;
  while (!predicate() && performance.now() < end) await sleep(20);
  return predicate();
}

async function _sequentialNoLeak({ listen, config, host, note }, secure) {
  const count = secure ? config.sizes.serverSequentialTls : config.sizes.serverSequential;
  const { listener, target } = await _open(listen, secure ? _tls(config) : {});
  const server = _echoServer(listener);
  const bytes = 256;
  try {
    const warm = await host.drive({ kind: "sequential", target, count: 200, bytes, tls: secure }); // JIT, TLS context, pools
    check(warm.failure === null, `warm-up: connection ${warm.failure?.index} failed: ${JSON.stringify(warm.failure)}`);
    await server.idle();
    let run;
    await leakCheck(host, note, async () => {
      run = await host.drive({ kind: "sequential", target, count, bytes, tls: secure });
      await server.idle();
    });
    note("connections", run.echoed);
    note("bytesVerified", run.bytesVerified);
    note("perConnectionMs", Math.round((run.ms / Math.max(1, run.echoed)) * 1000) / 1000);
    check(run.failure === null, `connection ${run.failure?.index} of ${count} failed: ${JSON.stringify(run.failure)}`);
    check(run.echoed === count, `${run.echoed} of ${count} connections echoed`);
    check(server.accepted === count + 200, `the listener handed out ${server.accepted} sockets for ${count + 200} clients`);
    check(server.errors === 0, `${server.errors} echo errors on the server, first: ${server.firstError}`);
    check(listener.stats.dropped === 0 && listener.stats.failed === 0, `stats ${JSON.stringify(listener.stats)}`);
  } finally {
    await server.stop();
  }
}

/** A broken echo for the control: even sockets get one byte flipped, odd ones lose their last byte. */
async function _brokenEcho(socket, n) {
  const reader = socket.readable.getReader();
  const writer = socket.writable.getWriter();
  let at = 0;
  let held = null;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const chunk = value.slice();
    if (n % 2 === 0 && at <= 1000 && at + chunk.length > 1000) chunk[1000 - at] ^= 0x01;
    at += chunk.length;
    if (held !== null) await writer.write(held);
    held = chunk;
  }
  if (held !== null) await writer.write(n % 2 === 0 ? held : held.subarray(0, held.length - 1));
  await writer.close();
}

export const serverScenarios = [
  {
    id: "server/control/driver-sees-bad-echo",
    group: "server",
    title: "control: a server that flips a byte or drops the last one fails every client's check (the Node clients do verify)",
    async run({ listen, host, note }) {
      const { listener, target } = await _open(listen);
      let n = 0;
      const loop = (async () => {
        for await (const socket of listener) void _brokenEcho(socket, n++).catch(() => socket.close());
      })();
      try {
        const run = await host.drive({ kind: "echo", target, clients: 10, bytes: 4096, ms: 5_000 });
        note("failuresSeen", run.failures);
        check(run.echoed === 0 && run.failures === 10, `the driver passed ${run.echoed} of 10 corrupted echoes`);
      } finally {
        await listener.close();
        await loop;
      }
    },
  },
  {
    id: "server/concurrent-clients-one-listener",
    group: "server",
    title: "many Node clients at once against one listener: all accepted and held open together, every byte echoed and verified",
    timeout: 120_000,
    async run({ listen, config, host, note }) {
      const { serverConcurrent: clients, serverConcurrentBytes: bytes } = config.sizes;
      let release;
      const gate = new Promise((resolve) => (release = resolve));
      // highWaterMark: a burst of connects arrives faster than a reader claims them (Node
      // and Bun push); the default (8) would shed most of them, by design (stats.dropped).
      const { listener, target } = await _open(listen, { highWaterMark: clients });
      const server = _echoServer(listener, gate);
      try {
        const driven = host.drive({ kind: "echo", target, clients, bytes, ms: 90_000 });
        // No socket echoes before every client was accepted: they are all held open at once.
        const all = await _until(() => server.accepted >= clients, 60_000);
        note("connectionsHeld", server.peak);
        release();
        const run = await driven;
        note("bytesVerified", run.bytesVerified);
        note("bytesLost", (clients - run.echoed) * bytes);
        note("slowestClientMs", run.slowestMs);
        check(all, `only ${server.accepted} of ${clients} clients were accepted (stats ${JSON.stringify(listener.stats)})`);
        check(
          run.echoed === clients,
          `${run.failures} of ${clients} clients did not get their ${bytes} bytes back intact; first: ${JSON.stringify(run.firstFailures)}`,
        );
        await server.idle();
        check(server.errors === 0, `${server.errors} echo errors on the server, first: ${server.firstError}`);
        check(server.peak === clients, `at most ${server.peak} accepted sockets were open at once`);
        check(
          listener.stats.accepted === clients && listener.stats.dropped === 0 && listener.stats.failed === 0,
          `stats ${JSON.stringify(listener.stats)}`,
        );
      } finally {
        release();
        await server.stop();
      }
    },
  },
  {
    id: "server/sequential-accepts-no-leak",
    group: "server",
    title: "many sequential accepts (Node clients, 256-byte echo each): open fds and heap after GC back to the baseline",
    timeout: 240_000,
    run: (ctx) => _sequentialNoLeak(ctx, false),
  },
  {
    id: "server/sequential-tls-accepts-no-leak",
    group: "server",
    title: "many sequential TLS accepts (Node TLS clients): open fds and heap after GC back to the baseline",
    timeout: 240_000,
    run: (ctx) => _sequentialNoLeak(ctx, true),
  },
  {
    id: "server/tls-clients-vanish-mid-handshake",
    group: "server",
    title:
      "TLS clients that leave mid-handshake (FIN or RST after the ClientHello, half a ClientHello, garbage, nothing): each counted in stats.failed, none handed out, no fd left; a real client is served after them",
    timeout: 60_000,
    async run({ listen, config, host, note }) {
      const perKind = config.sizes.serverVanishPerKind;
      const { listener, target } = await _open(listen, _tls(config, { handshakeTimeout: 5_000 }));
      const server = _echoServer(listener);
      try {
        const before = await host.fds();
        const run = await host.drive({ kind: "vanish", target, perKind });
        const counted = await _until(() => listener.stats.failed >= run.clients, 8_000);
        note("vanished", run.clients);
        note("failedCounted", listener.stats.failed);
        note("serverAnswered", run.serverAnswered);
        check(
          run.serverAnswered === 2 * perKind,
          `the server answered ${run.serverAnswered} of the ${2 * perKind} full ClientHellos (the mid-handshake cases did not happen)`,
        );
        check(server.accepted === 0, `${server.accepted} vanished clients were handed out as sockets`);
        check(
          counted && listener.stats.failed === run.clients,
          `stats.failed is ${listener.stats.failed} for ${run.clients} vanished handshakes (${run.kinds.join(", ")}, ${perKind} each)`,
        );
        const fdsAfter = await fdsSettle(host, before);
        note("fdsBaseline", before);
        note("fdsAfter", fdsAfter);
        check(fdsAfter <= before + 2, `open file descriptors ${before} → ${fdsAfter} after the vanished handshakes`);
        const real = await host.drive({ kind: "echo", target, clients: 1, bytes: 16 * 1024, tls: true, ms: 5_000 });
        check(real.echoed === 1, `a real TLS client after them was not served: ${JSON.stringify(real.firstFailures)}`);
        check(server.accepted === 1, `${server.accepted} sockets handed out, expected the real client only`);
      } finally {
        await server.stop();
      }
    },
  },
  ...[false, true].map((secure) => ({
    id: `server/${secure ? "tls" : "plain"}-slowloris-does-not-block`,
    group: "server",
    title: `${secure ? "TLS" : "plain"} slowloris: while many clients connect and never send${secure ? " (or drip a ClientHello a byte at a time)" : ""}, a real client is accepted and served at once`,
    timeout: 60_000,
    async run({ listen, config, host, note }) {
      const count = config.sizes.serverSlowloris;
      const { listener, target } = await _open(listen, secure ? _tls(config, { handshakeTimeout: 10_000 }) : { highWaterMark: count + 16 });
      const server = _echoServer(listener);
      const handles = [];
      try {
        handles.push((await host.drive({ kind: "hold", target, count: secure ? count / 2 : count })).handle);
        if (secure) handles.push((await host.drive({ kind: "hold", target, count: count / 2, drip: 200 })).handle);
        if (!secure) check(await _until(() => server.accepted >= count, 10_000), `${server.accepted} of ${count} silent clients accepted`);
        const real = await host.drive({ kind: "echo", target, clients: 1, bytes: 64 * 1024, tls: secure, ms: 5_000 });
        note("slowloris", count);
        note("realClientMs", real.slowestMs);
        check(
          real.echoed === 1,
          `the real client was not served while ${count} slowloris clients held the listener: ${JSON.stringify(real.firstFailures)}`,
        );
        check(real.slowestMs < 2_000, `the real client took ${real.slowestMs} ms`);
        check(server.accepted === (secure ? 1 : count + 1), `${server.accepted} sockets handed out`);
        check(listener.stats.dropped === 0, `stats ${JSON.stringify(listener.stats)}`);
      } finally {
        for (const handle of handles) await host.drive({ kind: "release", handle });
        await server.stop();
      }
    },
  })),
  {
    id: "server/tls-slowloris-timed-out",
    group: "server",
    title:
      "TLS clients that never send are given up after handshakeTimeout: counted in stats.failed and their connections closed by the server",
    timeout: 30_000,
    async run({ listen, config, host, note }) {
      const count = config.sizes.serverSlowloris;
      const { listener, target } = await _open(listen, _tls(config, { handshakeTimeout: SLOWLORIS_TIMEOUT_MS }));
      const server = _echoServer(listener);
      let handle;
      try {
        const before = await host.fds();
        handle = (await host.drive({ kind: "hold", target, count })).handle;
        const counted = await _until(() => listener.stats.failed >= count, SLOWLORIS_TIMEOUT_MS + 5_000);
        note("failedCounted", listener.stats.failed);
        check(
          counted && listener.stats.failed === count,
          `stats.failed is ${listener.stats.failed} for ${count} silent TLS clients after the ${SLOWLORIS_TIMEOUT_MS} ms handshake timeout`,
        );
        let status;
        for (let i = 0; i < 20; i++) {
          status = await host.drive({ kind: "status", handle });
          if (status.closedByServer === count) break;
          await sleep(100);
        }
        note("closedByServer", status.closedByServer);
        note("lastCloseMs", status.lastCloseMs);
        const fds = await host.fds();
        note("fdsWhileHeld", `${before} → ${fds}`);
        check(
          status.closedByServer === count,
          `the server closed ${status.closedByServer} of ${count} silent TLS clients after its handshake timeout (${fds - before} fds still open in the runtime)`,
        );
        check(server.accepted === 0, `${server.accepted} silent clients handed out`);
      } finally {
        if (handle !== undefined) await host.drive({ kind: "release", handle });
        await server.stop();
      }
    },
  },
];

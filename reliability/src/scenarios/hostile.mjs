/**
 * Hostile input. Property-based (fast-check) over addresses and options: whatever
 * `connect()` throws synchronously is a `SocketError` (`EINVAL`); a socket it returns
 * settles `opened` and `closed` in bounded time, with `SocketError`s only; nothing
 * crashes or leaks an unhandled rejection (the harness fails the scenario on one). Only
 * loopback is ever dialled: every host that could be valid is a loopback literal,
 * `localhost` or a `.invalid` name (RFC 6761), and every in-range port is the refused
 * port or the echo peer. Then hostile writes: detached buffers, zero-length chunks,
 * non-byte chunks, and one huge single chunk echoed back and checked byte for byte.
 *
 * @module
 */
import fc from "fast-check";
import { SocketError } from "@sockets/core";
import { check, isSocketError, patternAt, readChecked, readLine, rejection, settle, utf8, within } from "./_util.mjs";

const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]", "sockets-reliability.invalid", "127.0.0.1 ", "LOCALHOST", "[::ffff:127.0.0.1]"];
const FORBIDDEN = [" ", "/", "@", "?", "#", "\t", "\n", "\u0000", "%", "\\", "[", "]", "tcp://"];

function _arbitraries(config) {
  const refused = Number(config.peers.refused.split(":").pop());
  const echo = Number(config.peers.echo.split(":").pop());
  const safePort = (n) => (Number.isInteger(n) && n >= 1 && n <= 65_535 ? (n % 2 === 0 ? refused : echo) : n);
  const port = fc.oneof(
    fc.integer({ min: -10, max: 70_000 }).map(safePort),
    fc.constantFrom(0, -1, 65_536, 1.5, Number.NaN, Infinity, -0, 2 ** 53, refused, echo),
    fc.constantFrom(`${refused}`, ` ${refused}`, `0${refused}`, `${refused}.0`, "0x50", "", "80a", "+443", `${refused}e0`),
    fc.double(),
    fc.anything(),
  );
  const junkHost = fc
    .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...FORBIDDEN), fc.string({ maxLength: 12 }))
    .map(([a, f, b]) => a + f + b);
  const host = fc.oneof(fc.constantFrom(...LOOPBACK), junkHost, fc.constant(""), fc.anything());
  const portText = port.map((p) => (typeof p === "number" ? String(p) : typeof p === "string" ? p : ""));
  const stringAddress = fc.oneof(
    fc
      .tuple(
        host.filter((h) => typeof h === "string"),
        fc.constantFrom(":", "::", "", ": "),
        portText,
      )
      .map(([h, s, p]) => h + s + p),
    // Free text that cannot be "name:digits" (so it is never a real host).
    fc.string({ maxLength: 40 }).filter((s) => !/^[^\s/@?#]*:\d+$/.test(s)),
    fc.string({ unit: "binary", maxLength: 20 }).map((s) => `${s}\u0000:${refused}`),
  );
  const objectAddress = fc.oneof(
    fc.record({ hostname: host, port }, { requiredKeys: [] }),
    fc
      .tuple(
        fc.constantFrom("https", "http", "tcp", "postgres", "x"),
        fc.constantFrom("127.0.0.1", "localhost", "[::1]"),
        fc.constantFrom("", `:${refused}`, `:${echo}`, ":443", ":80"),
      )
      .map(([s, h, p]) => new URL(`${s}://${h}${p}`)),
  );
  const address = fc.oneof(
    stringAddress,
    objectAddress,
    fc.anything(),
    fc.constantFrom(null, undefined, 0, 1n, Symbol("address"), () => "127.0.0.1:1", [config.peers.refused]),
  );
  const signal = fc.oneof(fc.constant(undefined), fc.constant("abort"), fc.constant("later"), fc.anything());
  const options = fc.oneof(
    fc.record(
      {
        secureTransport: fc.oneof(fc.constantFrom("off", "on", "starttls", "ON", "", "tls"), fc.anything()),
        allowHalfOpen: fc.anything(),
        sni: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("localhost", "127.0.0.1", ""), fc.anything()),
        alpn: fc.oneof(fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }), fc.anything()),
        caCerts: fc.oneof(fc.array(fc.string({ maxLength: 30 }), { maxLength: 2 }), fc.anything()),
        signal,
      },
      { requiredKeys: [] },
    ),
    fc.constantFrom(undefined, null, 0, "on", [], Symbol("options")),
  );
  return { address, options };
}

function _materialise(options) {
  if (options === null || typeof options !== "object" || !("signal" in options)) return options;
  if (options.signal === "abort") return { ...options, signal: AbortSignal.abort(new Error("early")) };
  if (options.signal === "later") {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("later")), 5);
    return { ...options, signal: controller.signal };
  }
  return options;
}

/** One input: a synchronous throw must be a SocketError; a socket must settle in bounded time. */
async function _tryOnce(connect, address, rawOptions, counts) {
  const options = _materialise(rawOptions);
  let socket;
  try {
    socket = connect(address, options);
  } catch (error) {
    counts.thrown++;
    check(
      error instanceof SocketError,
      `connect(${_show(address)}, ${_show(rawOptions)}) threw ${error?.constructor?.name}: ${error?.message ?? String(error)}`,
    );
    isSocketError(error, "EINVAL", `connect(${_show(address)})`);
    return;
  }
  counts.sockets++;
  if (counts.sockets % 2 === 0) void socket.close();
  const opened = await settle(socket.opened, 6_000, `opened of connect(${_show(address)}, ${_show(rawOptions)})`);
  if (!opened.ok)
    check(
      opened.error instanceof SocketError || options?.signal?.aborted || counts.sockets % 2 === 0,
      `opened rejected with ${opened.error?.constructor?.name}: ${opened.error?.message}`,
    );
  if (opened.ok) counts.opened++;
  await settle(socket.close(), 6_000, `close() of connect(${_show(address)})`);
}

function _show(value) {
  try {
    if (typeof value === "symbol" || typeof value === "bigint" || typeof value === "function") return String(value);
    if (value instanceof URL) return `URL(${value.href})`;
    return JSON.stringify(value)?.slice(0, 80) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

async function _echoLine(socket, text) {
  const writer = socket.writable.getWriter();
  await within(writer.write(utf8(`${text}\n`)), 4_000, "write");
  writer.releaseLock();
  const reader = socket.readable.getReader();
  const { line } = await readLine(reader);
  reader.releaseLock();
  return line;
}

export const hostileScenarios = [
  {
    id: "hostile/property/addresses-and-options",
    group: "hostile",
    title: "fast-check: connect() throws only SocketError EINVAL synchronously, and every returned socket settles",
    timeout: 150_000,
    async run({ connect, config, note }) {
      const counts = { thrown: 0, sockets: 0, opened: 0 };
      const { address, options } = _arbitraries(config);
      await fc.assert(
        fc.asyncProperty(address, options, (a, o) => _tryOnce(connect, a, o, counts)),
        { numRuns: config.sizes.propertyRuns, seed: config.seed },
      );
      note("inputs", config.sizes.propertyRuns);
      note("thrownSync", counts.thrown);
      note("socketsReturned", counts.sockets);
      note("opened", counts.opened);
      check(counts.thrown > 0 && counts.sockets > 0, "the generators never produced both valid and invalid input");
    },
  },
  {
    id: "hostile/getter-throws",
    group: "hostile",
    title:
      "an address or options object whose getters throw: that very error (WebIDL conversion rethrows it) or a SocketError, never anything else, never a crash",
    async run({ connect, config }) {
      const boom = {
        get hostname() {
          throw new Error("getter boom");
        },
        port: 1,
      };
      const trap = new Proxy(
        {},
        {
          get() {
            throw new Error("proxy boom");
          },
          has() {
            throw new Error("proxy boom");
          },
        },
      );
      for (const [a, o] of [
        [boom, undefined],
        [trap, undefined],
        [config.peers.refused, trap],
        [
          {
            hostname: "127.0.0.1",
            get port() {
              throw new Error("port boom");
            },
          },
          undefined,
        ],
      ]) {
        try {
          const socket = connect(a, o);
          await settle(socket.opened, 4_000, "opened");
          await settle(socket.close(), 4_000, "close");
        } catch (error) {
          const own = error instanceof Error && /^(getter|proxy|port) boom$/.test(error.message);
          check(
            error instanceof SocketError || own,
            `threw ${error?.constructor?.name}: ${error?.message} (expected a SocketError or the getter's own error)`,
          );
        }
      }
    },
  },
  {
    id: "hostile/write/zero-length-and-detached",
    group: "hostile",
    title: "zero-length chunks are no-ops; a detached buffer is refused with a SocketError or is a no-op; nothing hangs",
    async run({ connect, config, note }) {
      const socket = connect(config.peers.echo);
      const writer = socket.writable.getWriter();
      await within(writer.write(new Uint8Array(0)), 4_000, "zero-length write");
      await within(writer.write(new ArrayBuffer(0)), 4_000, "zero-length ArrayBuffer write");
      await within(writer.write(""), 4_000, "empty string write");
      writer.releaseLock();
      check((await _echoLine(socket, "after-empty")) === "after-empty", "echo after zero-length writes");
      const view = new Uint8Array(1024).fill(65);
      structuredClone(view.buffer, { transfer: [view.buffer] }); // detaches `view`
      const w2 = socket.writable.getWriter();
      const detached = await settle(w2.write(view), 4_000, "detached write");
      if (detached.ok) {
        note("detached", "no-op");
        w2.releaseLock();
        check((await _echoLine(socket, "after-detached")) === "after-detached", "echo after the detached write (no bytes of it)");
      } else {
        note("detached", `rejected ${detached.error?.code}`);
        isSocketError(detached.error, "EINVAL", "detached write");
      }
      await within(socket.close(), 4_000, "close");
    },
  },
  {
    id: "hostile/write/non-bytes",
    group: "hostile",
    title: "a chunk that is not bytes or a string rejects with SocketError EINVAL; the socket still closes",
    async run({ connect, config }) {
      for (const chunk of [42, null, {}, [1, 2], Symbol("s"), new Blob(["x"])]) {
        const socket = connect(config.peers.echo);
        const writer = socket.writable.getWriter();
        isSocketError(await rejection(writer.write(chunk), 4_000, "non-byte write"), "EINVAL", `write(${String(typeof chunk)})`);
        await within(socket.close(), 4_000, "close after a bad write");
      }
    },
  },
  {
    id: "hostile/write/huge-single-chunk",
    group: "hostile",
    title: "one huge single write is echoed back intact, byte for byte",
    timeout: 120_000,
    async run({ connect, config, note }) {
      const size = config.sizes.hugeChunk;
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i++) data[i] = patternAt(i, 99);
      const socket = connect(config.peers.echo);
      const writer = socket.writable.getWriter();
      const written = writer.write(data).then(() => writer.close());
      const result = await readChecked(socket.readable, (i) => patternAt(i, 99), 60_000, "huge echo");
      await within(written, 60_000, "huge write");
      check(result.error === undefined, `read failed: ${result.error?.message}`);
      check(result.mismatch < 0, `byte ${result.mismatch} corrupted`);
      check(result.bytes === size, `${result.bytes} of ${size} bytes came back`);
      await socket.close();
      note("bytes", size);
    },
  },
];

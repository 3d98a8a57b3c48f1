/**
 * Command-line flags, the scenario list with its sizes (full and `--quick`), the metrics
 * each scenario is judged by, and the targets.
 *
 * @module
 */

/** Implementations, in the order they run within each interleaved round (A, B, C). */
export const IMPLS = ["native", "floor", "ours", "peer"];

export const IMPL_LABELS = {
  native: "native",
  floor: "floor",
  ours: "@sockets",
  peer: "@arrowood.dev/socket",
};

/**
 * `node` is the machine's Node (the one running `pnpm bench`); `node@22` … are the pinned
 * lines of `@sockets/node-lines` (issue 17: every Node line present). A line that is not
 * installed is skipped with a message.
 */
export const RUNTIMES = ["node", "node@22", "node@24", "node@26", "deno", "bun"];

/** `node 22.23.5`, `node 20.20.2 (machine)`, `deno 2.9.6`: a runtime spec as a heading. */
export function runtimeLabel(runtime, versions) {
  const engine = runtime.startsWith("node") ? "node" : runtime;
  return `${engine} ${versions[runtime] ?? "?"}${runtime === "node" ? " (machine)" : ""}`;
}

const MiB = 1024 * 1024;

/**
 * Each scenario: its sizes (`full` and `quick`), the primary metric (what ratios and
 * targets use) and the target ratio to native.
 */
export const SCENARIOS = {
  upload: {
    title: "upload",
    what: "64 KiB chunks to a sink that replies with the count",
    kind: "bytes",
    full: { bytes: 512 * MiB },
    quick: { bytes: 64 * MiB },
    target: 1.2,
  },
  download: {
    title: "download",
    what: "from a source, default reader",
    kind: "bytes",
    full: { bytes: 512 * MiB },
    quick: { bytes: 64 * MiB },
    target: 1.2,
  },
  downloadByob: {
    title: "download BYOB",
    what: "from a source, BYOB reader into one 64 KiB buffer",
    kind: "bytes",
    full: { bytes: 512 * MiB },
    quick: { bytes: 64 * MiB },
    target: 1.2,
  },
  pingPong: {
    title: "ping-pong",
    what: "64-byte message echoed, one at a time",
    kind: "rounds",
    full: { rounds: 20_000 },
    quick: { rounds: 3_000 },
    target: 1.15,
  },
  churn: {
    title: "churn",
    what: "connect + 1-byte echo + close, one after another",
    kind: "connections",
    full: { connections: 2_000 },
    quick: { connections: 300 },
    target: 1.5,
  },
  idle: {
    title: "idle memory",
    what: "open connections, each with a read pending",
    kind: "idle",
    full: { connections: 2_000 },
    quick: { connections: 500 },
    target: 2,
  },
  tlsUpload: {
    title: "TLS upload",
    what: "as upload, over TLS",
    kind: "bytes",
    full: { bytes: 256 * MiB },
    quick: { bytes: 32 * MiB },
    target: 1.2,
  },
  tlsDownload: {
    title: "TLS download",
    what: "as download, over TLS",
    kind: "bytes",
    full: { bytes: 256 * MiB },
    quick: { bytes: 32 * MiB },
    target: 1.2,
  },
  acceptChurn: {
    title: "server: accept churn",
    what: "listen(): accept, 1-byte echo, close, one connection after another (client: the driver)",
    kind: "connections",
    full: { connections: 2_000 },
    quick: { connections: 300 },
    target: 1.5,
  },
  echoServer: {
    title: "server: echo",
    what: "listen(): one accepted connection echoes every byte (client: the driver)",
    kind: "bytes",
    full: { bytes: 256 * MiB },
    quick: { bytes: 32 * MiB },
    target: 1.2,
  },
  udp64: {
    title: "UDP 64 B",
    what: "udp() connected: 64-byte datagrams to an echo, 8 in flight, each echo checked",
    kind: "datagrams",
    full: { datagrams: 20_000 },
    quick: { datagrams: 3_000 },
    target: 1.3,
  },
  udp1400: {
    title: "UDP 1,400 B",
    what: "udp() connected: 1,400-byte datagrams to an echo, 8 in flight, each echo checked",
    kind: "datagrams",
    full: { datagrams: 20_000 },
    quick: { datagrams: 3_000 },
    target: 1.3,
  },
};

/** Rows that cannot run, with the reason (recorded as n/a, never silently dropped). */
export const NOT_APPLICABLE = {
  "peer/acceptChurn": "@arrowood.dev/socket has no listen()",
  "peer/echoServer": "@arrowood.dev/socket has no listen()",
  "peer/udp64": "@arrowood.dev/socket has no UDP",
  "peer/udp1400": "@arrowood.dev/socket has no UDP",
  "peer/downloadByob": "its readable is Node's Duplex.toWeb stream, not a byte stream: getReader({ mode: 'byob' }) throws a TypeError",
};

/** What every sample is reduced to: the primary metric and a secondary one. */
export const METRICS = {
  bytes: {
    primary: { key: "cpuPerGiB", label: "CPU ms/GiB", of: (s) => s.cpuMs / (s.bytes / 1024 ** 3) },
    secondary: { key: "mibPerS", label: "MiB/s", of: (s) => s.bytes / MiB / (s.wallMs / 1000) },
  },
  rounds: {
    primary: { key: "cpuPerOp", label: "CPU µs/round trip", of: (s, ctx) => (s.cpuMs * 1000) / ctx.rounds },
    secondary: { key: "wallPerOp", label: "µs/round trip", of: (s, ctx) => (s.wallMs * 1000) / ctx.rounds },
  },
  connections: {
    primary: { key: "cpuPerOp", label: "CPU µs/connection", of: (s, ctx) => (s.cpuMs * 1000) / ctx.connections },
    secondary: { key: "wallPerOp", label: "µs/connection", of: (s, ctx) => (s.wallMs * 1000) / ctx.connections },
  },
  datagrams: {
    primary: { key: "cpuPerOp", label: "CPU µs/datagram", of: (s, ctx) => (s.cpuMs * 1000) / ctx.datagrams },
    secondary: { key: "perCpuS", label: "datagrams/CPU s", of: (s, ctx) => ctx.datagrams / (s.cpuMs / 1000) },
  },
  idle: {
    primary: { key: "rssPerConn", label: "RSS KiB/connection", of: (s) => s.rssPerConn / 1024 },
    secondary: { key: "heapPerConn", label: "JS heap KiB/connection", of: (s) => s.heapPerConn / 1024 },
  },
};

const USAGE = `Usage: pnpm bench [--quick] [--runtime node,node@22,node@24,node@26,deno,bun] [--scenario a,b] [--impl native,floor,ours,peer]
                  [--reps N] [--json FILE] [--svg FILE] [--no-readme] [--profile DIR]
Scenarios: ${Object.keys(SCENARIOS).join(", ")}`;

function _list(value, allowed, flag) {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) throw new Error(`Unknown ${flag} value "${item}": expected one of ${allowed.join(", ")}\n${USAGE}`);
  }
  return items;
}

/** Parses `argv` (without node and the script). */
export function parseArgs(argv) {
  const options = {
    quick: false,
    runtimes: RUNTIMES,
    scenarios: Object.keys(SCENARIOS),
    impls: IMPLS,
    reps: null,
    json: null,
    svg: null,
    readme: true,
    profile: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`Missing value after ${flag}\n${USAGE}`);
      return next;
    };
    if (flag === "--quick") options.quick = true;
    else if (flag === "--runtime") {
      const given = value();
      options.runtimes = _list(given, [...RUNTIMES, ...given.split(",").filter((r) => /^node@\d+$/.test(r.trim()))], flag);
    } else if (flag === "--scenario") options.scenarios = _list(value(), Object.keys(SCENARIOS), flag);
    else if (flag === "--impl") options.impls = _list(value(), IMPLS, flag);
    else if (flag === "--reps") {
      options.reps = Number(value());
      if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error(`Invalid --reps "${argv[i]}": expected a positive integer`);
    } else if (flag === "--json") options.json = value();
    else if (flag === "--svg") options.svg = value();
    else if (flag === "--no-readme") options.readme = false;
    else if (flag === "--profile") options.profile = value();
    else if (flag === "--help" || flag === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`Unknown flag "${flag}"\n${USAGE}`);
  }
  options.reps ??= options.quick ? 2 : 5;
  return options;
}

/** The context a client gets for `scenario` (sizes per mode), and its smaller warm-up. */
export function contextFor(scenario, quick, ports) {
  const sizes = quick ? SCENARIOS[scenario].quick : SCENARIOS[scenario].full;
  const base = { host: "127.0.0.1", ports, chunk: 64 * 1024, message: 64, batch: 50, window: 8 };
  const ctx = { ...base, bytes: 0, rounds: 0, connections: 0, datagrams: 0, ...sizes };
  const warmup = {
    ...ctx,
    bytes: Math.min(ctx.bytes, 8 * MiB),
    rounds: Math.min(ctx.rounds, 500),
    connections: Math.min(ctx.connections, 50),
    datagrams: Math.min(ctx.datagrams, 500),
  };
  return { ctx, warmup };
}

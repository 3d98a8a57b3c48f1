/**
 * The three modes and their sizes. `--ci` (the default, run by `pnpm test`) has the issue's
 * sizes — 1,000 concurrent connections × 1 MiB, 10,000 sequential plain and 10,000 TLS
 * connections — and a 30-second soak: about four and a half minutes for node, deno and bun
 * together on a 2-core machine. `--soak` is the same with a five-minute soak (manual runs).
 * `--quick` is a scaled-down run for development (about 90 s). RELIABILITY.md states the
 * sizes of every run.
 *
 * The server side (`server/*`, issue 13) has the issue's sizes in `--ci` too — 1,000
 * concurrent clients on one listener, 10,000 sequential accepts — with each concurrent
 * client echoing 64 KiB (not 1 MiB) and 500 sequential TLS accepts, so that it adds about
 * 10 s per runtime (about 60 s for the six CI runtimes). `--soak` raises those to 1 MiB per
 * client, 10,000 TLS accepts, 100 vanished handshakes of each kind, 1,000 slowloris clients.
 *
 * @module
 */
const MiB = 1 << 20;
const KiB = 1 << 10;

const ISSUE_SIZES = {
  propertyRuns: 5000,
  hugeChunk: 256 * MiB,
  concurrent: 1000,
  concurrentBytes: 1 * MiB,
  sequential: 10_000,
  sequentialTls: 10_000,
};
/** The server side (issue 13): 1,000 concurrent clients, 10,000 sequential accepts. */
const SERVER_SIZES = {
  serverConcurrent: 1000,
  serverConcurrentBytes: 64 * KiB,
  serverSequential: 10_000,
  serverSequentialTls: 500,
  serverVanishPerKind: 20,
  serverSlowloris: 200,
};

/** Sizes per mode. */
export const MODES = {
  quick: {
    propertyRuns: 500,
    hugeChunk: 256 * MiB,
    concurrent: 1000,
    concurrentBytes: 64 * KiB,
    sequential: 10_000,
    sequentialTls: 1000,
    soakSeconds: 10,
    ...SERVER_SIZES,
    serverSequential: 2000,
    serverSequentialTls: 200,
  },
  ci: { ...ISSUE_SIZES, soakSeconds: 30, ...SERVER_SIZES },
  soak: {
    ...ISSUE_SIZES,
    soakSeconds: 300,
    ...SERVER_SIZES,
    serverConcurrentBytes: 1 * MiB,
    serverSequentialTls: 10_000,
    serverVanishPerKind: 100,
    serverSlowloris: 1000,
  },
};

/**
 * Parses argv: `--ci` (default) | `--soak` | `--quick`, `--runtime=node,deno,bun` (also
 * `node@22`: a pinned Node line, see @sockets/node-lines), `--only=prefix,…`, `--no-write`, `--seed=n`.
 */
export function parseArgs(argv) {
  const args = { mode: "ci", runtimes: ["node", "deno", "bun"], only: undefined, write: true, seed: 20_251, verbose: false };
  for (const arg of argv) {
    if (arg === "--ci" || arg === "--soak" || arg === "--quick") args.mode = arg.slice(2);
    else if (arg.startsWith("--runtime=")) args.runtimes = arg.slice(10).split(",");
    else if (arg.startsWith("--only=")) args.only = arg.slice(7).split(",");
    else if (arg === "--no-write") args.write = false;
    else if (arg.startsWith("--seed=")) args.seed = Number(arg.slice(7));
    else if (arg === "--verbose") args.verbose = true;
    else
      throw new Error(
        `Unknown argument "${arg}": expected --ci, --soak, --quick, --runtime=node,node@26,deno,bun, --only=<id prefix>, --seed=<n>, --no-write or --verbose`,
      );
  }
  for (const r of args.runtimes)
    if (!["node", "deno", "bun"].includes(r) && !/^node@\d+$/.test(r))
      throw new Error(`Unknown runtime "${r}": expected node, node@<major>, deno or bun`);
  return args;
}

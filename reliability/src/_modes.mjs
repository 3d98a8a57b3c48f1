/**
 * The three modes and their sizes. `--ci` (the default, run by `pnpm test`) has the issue's
 * sizes — 1,000 concurrent connections × 1 MiB, 10,000 sequential plain and 10,000 TLS
 * connections — and a 30-second soak: about four and a half minutes for node, deno and bun
 * together on a 2-core machine. `--soak` is the same with a five-minute soak (manual runs).
 * `--quick` is a scaled-down run for development (about 90 s). RELIABILITY.md states the
 * sizes of every run.
 *
 * @module
 */
const MiB = 1 << 20;
const KiB = 1 << 10;

const ISSUE_SIZES = { propertyRuns: 5000, hugeChunk: 256 * MiB, concurrent: 1000, concurrentBytes: 1 * MiB, sequential: 10_000, sequentialTls: 10_000 };

/** Sizes per mode. */
export const MODES = {
  quick: { propertyRuns: 500, hugeChunk: 256 * MiB, concurrent: 1000, concurrentBytes: 64 * KiB, sequential: 10_000, sequentialTls: 1000, soakSeconds: 10 },
  ci: { ...ISSUE_SIZES, soakSeconds: 30 },
  soak: { ...ISSUE_SIZES, soakSeconds: 300 },
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
    else throw new Error(`Unknown argument "${arg}": expected --ci, --soak, --quick, --runtime=node,node@26,deno,bun, --only=<id prefix>, --seed=<n>, --no-write or --verbose`);
  }
  for (const r of args.runtimes) if (!["node", "deno", "bun"].includes(r) && !/^node@\d+$/.test(r)) throw new Error(`Unknown runtime "${r}": expected node, node@<major>, deno or bun`);
  return args;
}

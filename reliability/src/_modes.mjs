/**
 * The three modes and their sizes. CI is scaled so that node, deno and bun together finish
 * in about three minutes on a 2-core machine; `--full` is the sizes; `--soak` is
 * `--full` with a five-minute soak. RELIABILITY.md states the sizes of every run.
 *
 * @module
 */
const MiB = 1 << 20;
const KiB = 1 << 10;

/** Sizes per mode. */
export const MODES = {
  ci: { propertyRuns: 500, hugeChunk: 256 * MiB, concurrent: 1000, concurrentBytes: 64 * KiB, sequential: 10_000, sequentialTls: 1000, soakSeconds: 10 },
  full: { propertyRuns: 5000, hugeChunk: 256 * MiB, concurrent: 1000, concurrentBytes: 1 * MiB, sequential: 10_000, sequentialTls: 10_000, soakSeconds: 30 },
  soak: { propertyRuns: 5000, hugeChunk: 256 * MiB, concurrent: 1000, concurrentBytes: 1 * MiB, sequential: 10_000, sequentialTls: 10_000, soakSeconds: 300 },
};

/** Parses argv: `--ci` (default) | `--full` | `--soak`, `--runtime=node,deno,bun`, `--only=prefix,…`, `--no-write`, `--seed=n`. */
export function parseArgs(argv) {
  const args = { mode: "ci", runtimes: ["node", "deno", "bun"], only: undefined, write: true, seed: 20_251, verbose: false };
  for (const arg of argv) {
    if (arg === "--ci" || arg === "--full" || arg === "--soak") args.mode = arg.slice(2);
    else if (arg.startsWith("--runtime=")) args.runtimes = arg.slice(10).split(",");
    else if (arg.startsWith("--only=")) args.only = arg.slice(7).split(",");
    else if (arg === "--no-write") args.write = false;
    else if (arg.startsWith("--seed=")) args.seed = Number(arg.slice(7));
    else if (arg === "--verbose") args.verbose = true;
    else throw new Error(`Unknown argument "${arg}": expected --ci, --full, --soak, --runtime=node,deno,bun, --only=<id prefix>, --seed=<n>, --no-write or --verbose`);
  }
  for (const r of args.runtimes) if (!["node", "deno", "bun"].includes(r)) throw new Error(`Unknown runtime "${r}": expected node, deno or bun`);
  return args;
}

/**
 * The leak check shared by the load and server scenarios: open file descriptors (counted
 * by the parent from outside) and heap after a forced GC, before and after a run, with a
 * small slack. Portable.
 *
 * @module
 */
import { check, sleep } from "./_util.mjs";

const FD_SLACK = 2;
const HEAP_SLACK = 4 << 20;

/** Waits (up to 3 s) for the fd count to come back to `baseline + FD_SLACK`; returns the last count. */
export async function fdsSettle(host, baseline) {
  let count = await host.fds();
  for (let i = 0; i < 30 && count > baseline + FD_SLACK; i++) {
    await sleep(100);
    count = await host.fds();
  }
  return count;
}

/**
 * Runs `run`, then checks fds and heap against the baseline taken before it; notes
 * `fdsBaseline`, `fdsAfter`, `heapBaselineBytes`, `heapAfterBytes`.
 *
 * @example
 * ```js
 * await leakCheck(host, note, () => manyConnections());
 * ```
 */
export async function leakCheck(host, note, run) {
  const fdsBefore = await host.fds();
  const heapBefore = host.heap();
  await run();
  const fdsAfter = await fdsSettle(host, fdsBefore);
  await sleep(50);
  const heapAfter = host.heap();
  note("fdsBaseline", fdsBefore);
  note("fdsAfter", fdsAfter);
  note("heapBaselineBytes", heapBefore);
  note("heapAfterBytes", heapAfter);
  check(fdsAfter <= fdsBefore + FD_SLACK, `open file descriptors ${fdsBefore} → ${fdsAfter} (leak)`);
  check(heapAfter <= heapBefore + HEAP_SLACK, `heap after GC ${heapBefore} → ${heapAfter} bytes (more than ${HEAP_SLACK} bytes of growth)`);
}

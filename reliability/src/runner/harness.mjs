/**
 * Runs the reliability scenarios inside one runtime and reports one protocol line per
 * scenario (`@@reliability {json}`) to the parent. Portable: the runtime entry supplies
 * everything runtime-specific (output, fd count, heap after GC, exit, stray-error hooks).
 *
 * Every scenario runs under a time limit (a hang is a failure, and the run goes on), and
 * any unhandled rejection or uncaught error while it runs (or within `SETTLE_MS` after)
 * fails it.
 *
 * @module
 */

/** Prefix of protocol lines on stdout. */
export const LINE_PREFIX = "@@reliability ";
const SETTLE_MS = 30;

function _summary(error) {
  if (error instanceof Error)
    return {
      name: error.name,
      message: error.message,
      code: typeof error.code === "string" ? error.code : undefined,
      stack: error.stack?.split("\n").slice(0, 6).join("\n"),
    };
  return { name: typeof error, message: String(error) };
}

/**
 * Creates the runner. `host` is the runtime entry's bundle of hooks (`fds()` and `drive()`
 * ask the parent: an fd count from outside, a run of independent Node clients); `connect`
 * and `listen` are the package under test's.
 *
 * @example
 * ```js
 * const runner = createRunner({ runtime: "node v20", write, fds, drive, heap }, connect, config, listen);
 * process.on("unhandledRejection", (reason) => runner.stray(reason));
 * await runner.run(scenarios);
 * ```
 */
export function createRunner(host, connect, config, listen) {
  let current = null;
  const lateStrays = [];
  const emit = (event) => host.write(LINE_PREFIX + JSON.stringify(event));
  return {
    /** Records an unhandled rejection or uncaught error against the running scenario. */
    stray(reason, kind = "Unhandled rejection") {
      const entry = { kind, ..._summary(reason) };
      const list = current !== null ? current.strays : lateStrays;
      if (list.length < 20) list.push(entry);
    },
    async run(scenarios) {
      const selected = config.only ? scenarios.filter((s) => config.only.some((prefix) => s.id.startsWith(prefix))) : scenarios;
      await emit({ type: "hello", runtime: host.runtime, total: selected.length, mode: config.mode });
      for (const scenario of selected) {
        const timeout = scenario.timeout ?? 15_000;
        const controller = new AbortController();
        const figures = {};
        const ctx = { connect, listen, config, host, signal: controller.signal, figures, note: (key, value) => (figures[key] = value) };
        current = { strays: [] };
        const started = performance.now();
        let error;
        let timer;
        try {
          await Promise.race([
            Promise.resolve().then(() => scenario.run(ctx)),
            new Promise(
              (_, reject) =>
                (timer = setTimeout(() => reject(new Error(`Hang: the scenario did not finish within ${timeout} ms`)), timeout)),
            ),
          ]);
        } catch (e) {
          error = e;
        } finally {
          clearTimeout(timer);
          controller.abort(new Error("Scenario over"));
        }
        const ms = Math.round(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const strays = current.strays;
        current = null;
        const status = error === undefined && strays.length === 0 ? "pass" : "fail";
        const result = { type: "result", id: scenario.id, group: scenario.group, title: scenario.title, status, ms, figures };
        if (error !== undefined) result.error = _summary(error);
        if (strays.length > 0) result.strays = strays;
        await emit(result);
      }
      await emit({ type: "done", lateStrays });
    },
  };
}

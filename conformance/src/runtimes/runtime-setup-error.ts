/**
 * The one error a missing or wrong runtime binary becomes: a setup problem of the machine,
 * not a result of the suite. Tools print its message once and exit with
 * {@link SETUP_EXIT_CODE} (2), never with a matrix of failed cases (1).
 *
 * @module
 */

/**
 * The exit code of a setup or usage error (test failures exit 1).
 *
 * @example
 * ```ts
 * import { nodeLines, RuntimeSetupError, SETUP_EXIT_CODE } from "@sockets/conformance/runtimes";
 * try {
 *   nodeLines();
 * } catch (error) {
 *   if (error instanceof RuntimeSetupError) process.exitCode = SETUP_EXIT_CODE;
 * }
 * ```
 */
export const SETUP_EXIT_CODE = 2;

/**
 * A runtime that cannot be run here. `fix` is the exact command (or flag) that fixes it; the
 * message ends with it.
 *
 * @example
 * ```ts
 * import { findRuntime, RuntimeSetupError, SETUP_EXIT_CODE } from "@sockets/conformance/runtimes";
 * try {
 *   findRuntime("workerd");
 * } catch (error) {
 *   if (!(error instanceof RuntimeSetupError)) throw error;
 *   console.error(error.message); // "… Install it: npm install --save-dev workerd"
 *   process.exitCode = SETUP_EXIT_CODE;
 * }
 * ```
 */
export class RuntimeSetupError extends Error {
  /** The command or flag that fixes it. */
  readonly fix: string;

  constructor(problem: string, fix: string) {
    super(`${problem}. ${fix}`);
    this.name = "RuntimeSetupError";
    this.fix = fix;
  }
}

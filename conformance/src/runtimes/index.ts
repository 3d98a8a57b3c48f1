/**
 * `@sockets/conformance/runtimes`: finding runtime binaries (the machine's Node, pinned
 * Node lines, deno, bun, workerd, or a binary given by path) and running them as child
 * processes that are always stopped. One place for every tool of the repository (the
 * conformance CLI, the integration and reliability suites, the benchmarks), and for yours.
 *
 * @module
 */
export { findRuntime, nodeLinePackage, nodeLines, type FindRuntimeOptions, type RuntimeBinary, type RuntimeName } from "./find-runtime.js";
export { probeBinary, type BinaryRuntime } from "./probe-binary.js";
export { RuntimeSetupError, SETUP_EXIT_CODE } from "./runtime-setup-error.js";
export { exited, startChild, stopAllChildren, stopChild } from "../cli/children.js";

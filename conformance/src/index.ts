/**
 * `@sockets/conformance`: the WinterTC Sockets API conformance suite. The cases live in
 * `@sockets/conformance/cases`, the fixture peers in `@sockets/conformance/fixtures`; this
 * entry exposes the CLI as a function, the runner loop (to host the cases in a runtime of
 * your own), the runner protocol, and the report renderers.
 *
 * @module
 */
export { runCli, selectCases } from "./cli/run-cli.js";
export { buildReport, formatTotals, unexpectedCells, type Report, type ReportCell, type ReportColumn, type Totals } from "./cli/report.js";
export { renderMarkdown } from "./cli/render-markdown.js";
export { renderTerminal } from "./cli/render-terminal.js";
export { classify, validateExpectations, type CellStatus, type Expectation, type Expectations } from "./cli/expectations.js";
export { createCaseRunner, type CaseRunner, type CaseRunnerOptions, type Implementation } from "./runners/run-cases.js";
export {
  decodeEvent,
  encodeEvent,
  LINE_PREFIX,
  summarizeError,
  type ErrorSummary,
  type RunnerConfig,
  type RunnerEvent,
} from "./runners/protocol.js";
export type { CaseContext, ConformanceCase, PeerDirectory, Tag } from "./cases/types.js";

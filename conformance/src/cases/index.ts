/**
 * The portable conformance cases. Each is a plain async function over web globals and
 * the spec types; the runner calls `run(ctx)` with the implementation under test.
 *
 * @module
 */
import { addressCases } from "./address.js";
import { backpressureCases } from "./backpressure.js";
import { caCertsCases } from "./ca-certs.js";
import { closeCases } from "./close.js";
import { dataCases } from "./data.js";
import { errorCases } from "./errors.js";
import { halfOpenCases } from "./half-open.js";
import { resetCases } from "./reset.js";
import { serverCases } from "./server.js";
import { serverLifecycleCases } from "./server-lifecycle.js";
import { serverTlsCases } from "./server-tls.js";
import { socketWorkerCases } from "./socket-worker.js";
import { signalCases } from "./signal.js";
import { starttlsCases } from "./starttls.js";
import { surfaceCases } from "./surface.js";
import { tlsCases } from "./tls.js";
import { udpCases } from "./udp.js";
import type { ConformanceCase } from "./types.js";

export * from "./assert.js";
export * from "./helpers.js";
export * from "./host-client-protocol.js";
export {
  SOURCE_BYTES,
  type CaseContext,
  type ConformanceCase,
  type InboundRecord,
  type InboundServer,
  type PeerDirectory,
  type Tag,
} from "./types.js";

/**
 * Every case, in a stable order (by area). IDs are unique and never renamed.
 *
 * @example
 * ```ts
 * import { cases } from "@sockets/conformance/cases";
 * const specOnly = cases.filter((c) => c.tags.includes("spec"));
 * ```
 */
export const cases: readonly ConformanceCase[] = [
  ...surfaceCases,
  ...addressCases,
  ...errorCases,
  ...dataCases,
  ...backpressureCases,
  ...closeCases,
  ...halfOpenCases,
  ...resetCases,
  ...tlsCases,
  ...starttlsCases,
  ...signalCases,
  ...caCertsCases,
  ...serverCases,
  ...serverTlsCases,
  ...serverLifecycleCases,
  ...socketWorkerCases,
  ...udpCases,
];

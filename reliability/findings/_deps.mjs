// What the reproductions import from the workspace (the conformance fixtures' test PKI and
// the runtime finder the harness uses), in one place.
export { createTestPki } from "@sockets/conformance/fixtures";
export { findRuntime } from "@sockets/conformance/runtimes";

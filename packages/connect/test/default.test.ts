import { SocketError } from "@sockets/core";
import { expect, it } from "vitest";
import { detectEnvironment } from "../src/_environment.js";
import * as fallback from "../src/default.js";

const nodeVersion = (globalThis as { process?: { versions: { node: string } } }).process?.versions.node;

it("imports without throwing and tags itself unsupported", () => {
  expect(fallback.runtime).toBe("unsupported");
  expect(fallback.SocketError).toBe(SocketError);
});

it("connect() throws a SocketError naming the environment and the supported runtimes", () => {
  let thrown: unknown;
  try {
    fallback.connect("127.0.0.1:5432");
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SocketError);
  expect(thrown).toBeInstanceOf(TypeError);
  const error = thrown as SocketError;
  expect(error.code).toBe("EINVAL");
  expect(error.message).toBe(
    `SocketError: connect() is not available in Node.js ${nodeVersion}: @sockets/connect supports node, deno, bun and workerd;` +
      ` it was resolved without the "node" export condition (a bundle built for another platform?): build with that condition or import @sockets/node`,
  );
});

it.each([
  [{ Deno: { version: { deno: "2.9.6" } }, process: { versions: { node: "24.0.0" } } }, "Deno 2.9.6", "deno"],
  [{ Bun: { version: "1.4.5" }, process: { versions: { node: "24.3.0" } } }, "Bun 1.4.5", "bun"],
  [{ navigator: { userAgent: "Cloudflare-Workers" } }, "workerd (Cloudflare Workers)", "workerd"],
  [{ window: {}, document: {}, navigator: { userAgent: "Mozilla/5.0" } }, 'a browser (user agent "Mozilla/5.0")', null],
  [{ WorkerGlobalScope: class {}, navigator: { userAgent: "Mozilla/5.0" } }, 'a browser worker (user agent "Mozilla/5.0")', null],
  [{ EdgeRuntime: "edge-runtime" }, "an edge runtime (EdgeRuntime edge-runtime)", null],
  [{}, "an unknown runtime", null],
])("detects %j as %s", (globals, description, supported) => {
  expect(detectEnvironment(globals)).toEqual({ description, supported });
});

import { expect, it } from "vitest";
import { codeOf, SocketError, toSocketError } from "../src/index.js";

it("is a TypeError with the spec's message prefix, a code and the native cause", () => {
  const cause = new Error("boom");
  const error = new SocketError("connection reset", { code: "ECONNRESET", cause });
  expect(error).toBeInstanceOf(TypeError);
  expect(error.message).toBe("SocketError: connection reset");
  expect(error.code).toBe("ECONNRESET");
  expect(error.cause).toBe(cause);
  expect(new SocketError("SocketError: once").message).toBe("SocketError: once");
});

it.each([
  ["ECONNREFUSED", "ECONNREFUSED"],
  ["EAI_AGAIN", "ENOTFOUND"],
  ["ENOTFOUND", "ENOTFOUND"],
  ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "ETLS"],
  ["ERR_TLS_CERT_ALTNAME_INVALID", "ETLS"],
  ["DEPTH_ZERO_SELF_SIGNED_CERT", "ETLS"],
  ["CERT_HAS_EXPIRED", "ETLS"],
  ["ABORT_ERR", "EABORTED"],
  ["ERR_STREAM_DESTROYED", "ECLOSED"],
])("maps native code %s to %s", (native, expected) => {
  const error = toSocketError(Object.assign(new Error("x"), { code: native }));
  expect(error.code).toBe(expected);
  expect(codeOf(Object.assign(new Error("x"), { code: native }))).toBe(expected);
});

it("keeps a SocketError as is, and lets a transport override the code", () => {
  const original = new SocketError("x", { code: "EPIPE" });
  expect(toSocketError(original)).toBe(original);
  expect(toSocketError(new Error("invalid peer certificate"), { code: "ETLS" }).code).toBe("ETLS");
  expect(toSocketError("weird").code).toBe("EUNKNOWN");
});

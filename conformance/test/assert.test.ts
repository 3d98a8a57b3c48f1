import { describe, expect, it } from "vitest";
import { assertSocketError, bytesEqual, equal, isSocketErrorLike, ok, rejects, throwsSync } from "../src/cases/assert.js";
import { ByteReader, concat, pattern, sha256, stateAfter, withTimeout } from "../src/cases/helpers.js";

const streamOf = (...chunks: Uint8Array[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(x);
      c.close();
    },
  });

describe("assert", () => {
  it("ok and equal throw on mismatch only", () => {
    ok(true, "x");
    equal(NaN, NaN, "NaN");
    expect(() => ok(0, "zero")).toThrow("zero");
    expect(() => equal(1, 2, "num")).toThrow("num: expected 2, got 1");
    expect(() => equal(0, -0, "signed zero")).toThrow();
  });
  it("bytesEqual reports length and first differing byte", () => {
    bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]), "same");
    expect(() => bytesEqual(new Uint8Array([1]), new Uint8Array([1, 2]), "len")).toThrow("expected 2 bytes, got 1");
    expect(() => bytesEqual(new Uint8Array([1, 3]), new Uint8Array([1, 2]), "b")).toThrow("byte 1 differs");
  });
  it("rejects returns the reason, fails on fulfilment or a failed check", async () => {
    const e = new Error("x");
    expect(await rejects(Promise.reject(e), "r")).toBe(e);
    await expect(rejects(Promise.resolve(1), "r")).rejects.toThrow("expected a rejection");
    await expect(rejects(Promise.reject(e), "r", () => false)).rejects.toThrow("unexpected rejection");
  });
  it("throwsSync returns the thrown value and fails when nothing is thrown", () => {
    expect(
      throwsSync(() => {
        throw 7;
      }, "t"),
    ).toBe(7);
    expect(() => throwsSync(() => 1, "t")).toThrow("expected a synchronous throw");
  });
  it("isSocketErrorLike needs a TypeError with the prefix; codes are checked only when asked", () => {
    expect(isSocketErrorLike(new TypeError("SocketError: x"))).toBe(true);
    expect(isSocketErrorLike(new Error("SocketError: x"))).toBe(false);
    expect(isSocketErrorLike(new TypeError("x"))).toBe(false);
    const withCode = Object.assign(new TypeError("SocketError: x"), { code: "ECONNRESET" });
    assertSocketError(withCode, "w");
    assertSocketError(withCode, "w", "ECONNRESET");
    expect(() => assertSocketError(withCode, "w", "ETLS")).toThrow('expected "ETLS"');
  });
});

describe("helpers", () => {
  it("ByteReader reads exact counts and lines across chunk boundaries", async () => {
    const r = new ByteReader(streamOf(new TextEncoder().encode("ab\ncd"), new TextEncoder().encode("e\nfg")));
    expect(await r.line()).toBe("ab");
    expect(new TextDecoder().decode(await r.exactly(2))).toBe("cd");
    expect(await r.line()).toBe("e");
    expect(new TextDecoder().decode(await r.rest())).toBe("fg");
    await expect(new ByteReader(streamOf(new Uint8Array(1))).exactly(2)).rejects.toThrow("ended after 1");
  });
  it("ByteReader refuses non-Uint8Array chunks", async () => {
    const odd = new ReadableStream<unknown>({
      start(c) {
        c.enqueue("text");
        c.close();
      },
    }) as ReadableStream<Uint8Array>;
    await expect(new ByteReader(odd).rest()).rejects.toThrow("must be Uint8Array");
  });
  it("sha256, concat, pattern", async () => {
    expect(await sha256(new Uint8Array())).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect([...concat([new Uint8Array([1]), new Uint8Array([2, 3])])]).toEqual([1, 2, 3]);
    expect(pattern(16, 5)).toEqual(pattern(16, 5));
    expect(pattern(16, 5)).not.toEqual(pattern(16, 6));
  });
  it("stateAfter and withTimeout", async () => {
    expect(await stateAfter(new Promise(() => {}), 10)).toBe("pending");
    expect(await stateAfter(Promise.reject(new Error()), 10)).toBe("rejected");
    await expect(withTimeout(new Promise(() => {}), 10, "never")).rejects.toThrow("never: still pending");
  });
});

/**
 * The sockets-serve command line: what it accepts and the errors it gives.
 */
import { describe, expect, it } from "vitest";
import { parseServeArgs, USAGE } from "../src/cli/serve-args.js";

describe("sockets-serve arguments", () => {
  it("defaults: node, 127.0.0.1:8025, plain, a 10 s close timeout", () => {
    expect(parseServeArgs(["app.mjs"])).toEqual({
      module: "app.mjs",
      listen: "127.0.0.1:8025",
      runtime: "node",
      runtimeBin: undefined,
      tlsCert: undefined,
      tlsKey: undefined,
      starttls: false,
      alpn: [],
      closeTimeout: 10_000,
    });
  });
  it("reads every option", () => {
    const args = parseServeArgs([
      "--listen",
      "[::1]:0",
      "app.mjs",
      "--tls-cert",
      "c.pem",
      "--tls-key",
      "k.pem",
      "--starttls",
      "--alpn",
      "smtp,x",
      "--runtime",
      "deno",
      "--close-timeout",
      "500",
      "--runtime-bin",
      "/opt/deno",
    ]);
    expect(args).toMatchObject({
      listen: "[::1]:0",
      module: "app.mjs",
      tlsCert: "c.pem",
      tlsKey: "k.pem",
      starttls: true,
      alpn: ["smtp", "x"],
      runtime: "deno",
      closeTimeout: 500,
      runtimeBin: "/opt/deno",
    });
  });
  it.each([
    [[], /no module given/],
    [["a.mjs", "b.mjs"], /one module only/],
    [["a.mjs", "--runtime", "python"], /--runtime "python": expected node, deno or bun/],
    [["a.mjs", "--listen"], /--listen needs a value/],
    [["a.mjs", "--tls-cert", "c.pem"], /--tls-cert and --tls-key go together/],
    [["a.mjs", "--starttls"], /--starttls needs --tls-cert/],
    [["a.mjs", "--alpn", "h2"], /--alpn needs --tls-cert/],
    [["a.mjs", "--close-timeout", "soon"], /--close-timeout "soon"/],
    [["a.mjs", "--bogus"], /unknown option --bogus/],
  ])("%j is refused with a message saying why", (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message);
  });
  it("--help is the usage text", () => {
    expect(() => parseServeArgs(["--help"])).toThrow(USAGE);
  });
});

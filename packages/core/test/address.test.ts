import { describe as group, expect, it } from "vitest";
import { parseAddress, SocketError } from "../src/index.js";

function rejects(input: unknown, mentions: string): void {
  let thrown: unknown;
  try {
    parseAddress(input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(SocketError);
  expect(thrown).toBeInstanceOf(TypeError);
  const error = thrown as SocketError;
  expect(error.code).toBe("EINVAL");
  expect(error.message.startsWith("SocketError: ")).toBe(true);
  expect(error.message).toContain(mentions);
}

group("parseAddress: accepted forms", () => {
  it.each([
    ["example.com:443", "example.com", 443, false, "example.com:443"],
    ["example.com:80", "example.com", 80, false, "example.com:80"],
    ["127.0.0.1:5432", "127.0.0.1", 5432, true, "127.0.0.1:5432"],
    ["[::1]:5432", "::1", 5432, true, "[::1]:5432"],
    ["[fe80::1%eth0]:22", "fe80::1%eth0", 22, true, "[fe80::1%eth0]:22"],
    ["localhost:65535", "localhost", 65535, false, "localhost:65535"],
  ])("%s", (input, hostname, port, isIpLiteral, authority) => {
    expect(parseAddress(input)).toEqual({ hostname, port, isIpLiteral, authority });
  });

  it("takes the object form with a bare or bracketed IPv6 hostname and a string port", () => {
    expect(parseAddress({ hostname: "::1", port: 7 })).toMatchObject({ hostname: "::1", port: 7, authority: "[::1]:7" });
    expect(parseAddress({ hostname: "[::1]", port: "7" })).toMatchObject({ hostname: "::1", port: 7 });
    expect(parseAddress({ hostname: "db", port: 5432 })).toMatchObject({ hostname: "db", isIpLiteral: false });
  });

  it("takes a URL, keeping an explicit :443 and restoring the default port WHATWG URL erases", () => {
    expect(parseAddress(new URL("postgres://u:p@db.internal:5432/app"))).toMatchObject({ hostname: "db.internal", port: 5432 });
    expect(parseAddress(new URL("https://example.com:443/"))).toMatchObject({ port: 443 });
    expect(parseAddress(new URL("http://[::1]:8080/"))).toMatchObject({ hostname: "::1", port: 8080 });
  });
});

group("parseAddress: rejected forms name the value and what is expected", () => {
  it.each([
    ["example.com", "port is missing"],
    ["example.com:", "port is missing"],
    ["example.com:0", '"0"'],
    ["example.com:-1", '"-1"'],
    ["example.com:1.5", '"1.5"'],
    ["example.com:65536", '"65536"'],
    ["example.com:0080", '"0080"'],
    [":80", "hostname is empty"],
    ["tcp://example.com:80", "scheme"],
    ["::1:80", "brackets"],
    ["[::1]80", "expected"],
    ["[::1:80", "closing bracket"],
    ["exa mple.com:80", "whitespace"],
    ["user@example.com:80", "whitespace"],
    ["example.com/path:80", "whitespace"],
    ["[example.com]:80", "IPv6"],
  ])("%j", (input, mentions) => rejects(input, mentions));

  it.each([
    [{ hostname: "example.com", port: 0 }, "0"],
    [{ hostname: "example.com", port: 70000 }, "70000"],
    [{ hostname: "example.com", port: 80.5 }, "80.5"],
    [{ hostname: "example.com", port: Number.NaN }, "NaN"],
    [{ hostname: "example.com" }, "port is missing"],
    [{ hostname: "", port: 80 }, "hostname is empty"],
    [{ hostname: 42, port: 80 }, "hostname must be a string"],
    [{ port: 80 }, "hostname must be a string"],
    [new URL("postgres://db/app"), "no port"],
    // A NUL cut the name short on Node's resolver (localhost was dialled); refused everywhere now.
    ["localhost\u0000.evil.example:80", "a control character"],
    [{ hostname: "127.0.0.1\u0000x", port: 80 }, "a control character"],
    [{ hostname: "local\u007fhost", port: 80 }, "a control character"],
  ])("%j", (input, mentions) => rejects(input, mentions));

  it("names a bigint port as such (JSON cannot show it)", () => rejects({ hostname: "a", port: 80n }, '"port":"80n"'));

  it.each([undefined, null, 42, true, Symbol("x"), () => "a:1", ["a", 1]])("junk %s", (input) => rejects(input, "expected"));
});

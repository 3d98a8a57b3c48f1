/**
 * A throwaway test PKI made with the `openssl` CLI (no npm dependency): a trusted test
 * CA, a private CA, an untrusted CA, and leaf certificates signed by them.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pem {
  readonly cert: string;
  readonly key: string;
}

export interface TestPki {
  /** The main test CA. */
  readonly ca: Pem;
  /** Another CA (stands for a private database CA). */
  readonly privateCa: Pem;
  /** Leaf for localhost, alt.example, 127.0.0.1 and ::1, from `ca`. */
  readonly leaf: Pem;
  /** Leaf for wrong.example only, from `ca`. */
  readonly wrongName: Pem;
  /** Leaf for localhost and 127.0.0.1, from `privateCa`. */
  readonly privateLeaf: Pem;
  /** Leaf for localhost and 127.0.0.1, from a CA nobody trusts. */
  readonly untrusted: Pem;
  /** Directory holding `ca.pem` (for NODE_EXTRA_CA_CERTS); removed by `dispose`. */
  readonly dir: string;
  dispose(): void;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "sockets-node-pki-"));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void => {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  };
  const read = (name: string): Pem => ({
    cert: readFileSync(file(`${name}.pem`), "utf8"),
    key: readFileSync(file(`${name}.key`), "utf8"),
  });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  const makeCa = (name: string): Pem => {
    openssl(
      "req",
      "-x509",
      ...ec,
      "-keyout",
      file(`${name}.key`),
      "-out",
      file(`${name}.pem`),
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign",
    );
    return read(name);
  };
  const makeLeaf = (name: string, ca: string, san: string): Pem => {
    openssl("req", ...ec, "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${name}`);
    writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    openssl(
      "x509",
      "-req",
      "-in",
      file(`${name}.csr`),
      "-CA",
      file(`${ca}.pem`),
      "-CAkey",
      file(`${ca}.key`),
      "-CAcreateserial",
      "-out",
      file(`${name}.pem`),
      "-days",
      "2",
      "-extfile",
      file(`${name}.ext`),
    );
    return read(name);
  };

  const ca = makeCa("ca");
  const privateCa = makeCa("private-ca");
  makeCa("untrusted-ca");
  return {
    ca,
    privateCa,
    leaf: makeLeaf("leaf", "ca", "DNS:localhost,DNS:alt.example,IP:127.0.0.1,IP:::1"),
    wrongName: makeLeaf("wrong", "ca", "DNS:wrong.example"),
    privateLeaf: makeLeaf("private-leaf", "private-ca", "DNS:localhost,IP:127.0.0.1"),
    untrusted: makeLeaf("untrusted", "untrusted-ca", "DNS:localhost,IP:127.0.0.1"),
    dir,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

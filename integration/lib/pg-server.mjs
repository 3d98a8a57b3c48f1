/**
 * A throw-away PostgreSQL server for one integration run: `initdb` into a fresh temp dir,
 * then `postgres` as a direct child process (not `pg_ctl`, which would daemonise it and let
 * it outlive us) on 127.0.0.1 and a free port, with `ssl = on` and a certificate from the
 * test CA. Host connections use SCRAM-SHA-256 with a random password.
 *
 * PostgreSQL refuses to run as root. When we are root (CI containers, this machine) both
 * `initdb` and `postgres` run as `nobody` through `setpriv`, which execs in place, so the
 * child's pid is the postmaster's own and signals reach it directly (`runuser`/`su` would
 * sit in between), and `--pdeathsig` stops the server even if we are killed outright. The
 * temp dir is handed to that user.
 *
 * @module
 */
import { spawn, execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { unusedPort } from "@sockets/conformance/fixtures";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where `initdb`/`postgres` live: `PG_BIN`, `pg_config --bindir`, Debian's layout, `PATH`. */
export function findPgBin() {
  const candidates = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  try {
    candidates.push(execFileSync("pg_config", ["--bindir"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  } catch {
    // no pg_config: fine, try the distribution layout
  }
  if (existsSync("/usr/lib/postgresql")) {
    const versions = readdirSync("/usr/lib/postgresql")
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(`/usr/lib/postgresql/${v}/bin`);
  }
  for (const dir of (process.env.PATH ?? "").split(":")) if (dir) candidates.push(dir);
  const found = candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "postgres")));
  if (found === undefined) {
    throw new Error(
      "PostgreSQL was not found (looked for initdb and postgres in PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin and PATH); install it, e.g. `apt-get install -y postgresql`",
    );
  }
  return found;
}

function _runAs() {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return null;
  const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" }).trim());
  return { uid, gid, prefix: ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--pdeathsig=SIGINT", "--"] };
}

function _run(argv, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("error", reject);
    child.once("close", (code) => (code === 0 ? resolve(output) : reject(new Error(`${argv.join(" ")} exited with ${code}:\n${output}`))));
  });
}

/**
 * Starts PostgreSQL. `tls` holds the server certificate and key (PEM).
 *
 * @param {{ certPem: string, keyPem: string }} tls
 * @returns {Promise<{ host: string, port: number, user: string, password: string, database: string, version: string, log(): string, stop(): Promise<void> }>}
 */
export async function startPostgres(tls) {
  const bin = findPgBin();
  const runAs = _runAs();
  const prefix = runAs?.prefix ?? [];
  const dir = await mkdtemp(join(tmpdir(), "sockets-pg-"));
  const data = join(dir, "data");
  const password = `pw-${crypto.randomUUID()}`;
  const own = async (file) => runAs && (await chown(file, runAs.uid, runAs.gid));
  await own(dir);
  const files = { pw: join(dir, "pwfile"), crt: join(dir, "server.crt"), key: join(dir, "server.key") };
  await writeFile(files.pw, `${password}\n`, { mode: 0o600 });
  await writeFile(files.crt, tls.certPem, { mode: 0o600 });
  await writeFile(files.key, tls.keyPem, { mode: 0o600 }); // postgres wants 0600 and its own user
  for (const file of Object.values(files)) await own(file);

  const cleanupDir = () => rm(dir, { recursive: true, force: true });
  try {
    await _run(
      [
        ...prefix,
        join(bin, "initdb"),
        "-D",
        data,
        "-U",
        "postgres",
        `--pwfile=${files.pw}`,
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
      ],
      { cwd: dir },
    );
  } catch (error) {
    await cleanupDir();
    throw error;
  }
  // Below the ephemeral range: a parallel suite's listen(0) or outgoing connection cannot take it.
  const port = await unusedPort("tcp", "127.0.0.1");
  const argv = [
    ...prefix,
    join(bin, "postgres"),
    "-D",
    data,
    "-k",
    dir,
    "-p",
    String(port),
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "ssl=on",
    "-c",
    `ssl_cert_file=${files.crt}`,
    "-c",
    `ssl_key_file=${files.key}`,
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
    "-c",
    "max_connections=100",
  ];
  const child = spawn(argv[0], argv.slice(1), { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });

  let log = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`PostgreSQL did not become ready in 30 s:\n${log}`)), 30_000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      if (log.includes("ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL exited (${code ?? signal}) before it was ready:\n${log}`));
    });
    child.once("error", reject);
  });

  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's "fast" shutdown: it disconnects sessions and exits
        // (SIGTERM would wait for every client). SIGKILL if that takes too long.
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
      await cleanupDir();
    })());

  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  const version = (await _run([join(bin, "postgres"), "--version"])).trim();
  return { host: "127.0.0.1", port, user: "postgres", password, database: "postgres", version, stop, log: () => log };
}

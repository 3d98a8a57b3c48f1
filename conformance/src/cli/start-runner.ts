/**
 * How each target starts a runner for a list of cases: bundle, then launch it in the
 * runtime with the least it needs (trust of the test CA through the environment or the
 * workerd config; on Deno only network access to the fixture hosts, plus `--unstable-net`
 * when `udp` cases run).
 *
 * @module
 */
import { join } from "node:path";
import { cases } from "../cases/index.js";
import type { PeerDirectory } from "../cases/types.js";
import type { RunnerConfig } from "../runners/protocol.js";
import { findRuntime, type RuntimeBinary } from "../runtimes/find-runtime.js";
import { bundleRunner } from "./bundle.js";
import type { Column } from "./columns.js";
import { launchProcess } from "./launch-process.js";
import { launchWorkerd } from "./launch-workerd.js";
import type { RunnerHandle } from "./runner-handle.js";

/**
 * What every runner of a run shares.
 *
 * @example
 * ```ts
 * import type { RunContext } from "./start-runner.js";
 * const context: RunContext = { dir: "/tmp/sc", peers, privateCa, caFile: "/tmp/ca.pem", defaultTimeout: 10_000, exec: undefined, conditions: ["node"], verbose: false };
 * ```
 */
export interface RunContext {
  /** Scratch directory for bundles and configs. */
  dir: string;
  peers: PeerDirectory;
  privateCa: string;
  /** The `server` cases' certificate and key (PEM). */
  serverTls: { readonly cert: string; readonly key: string };
  /** PEM file of the main test CA. */
  caFile: string;
  defaultTimeout: number;
  /** The `--exec` command template. */
  exec: string | undefined;
  conditions: readonly string[];
  verbose: boolean;
}

/** Hosts (as written in the peer directory) every fixture peer listens on. */
export function peerHosts(peers: PeerDirectory): string[] {
  const hosts = new Set<string>();
  for (const address of Object.values(peers)) {
    if (typeof address !== "string") continue;
    const host = address.slice(0, address.lastIndexOf(":"));
    if (host !== "") hosts.add(host);
  }
  return [...hosts];
}

/**
 * Names the cases dial besides the peers: `localhost` (TLS name checks) and the `.invalid`
 * name of the DNS-failure case, which must fail to resolve rather than be denied.
 */
const EXTRA_DENO_HOSTS = ["localhost", "sockets-conformance.invalid"];

/** Cases that need Deno's `--unstable-net` (`Deno.listenDatagram`): given only when one of them runs. */
const UNSTABLE_NET_CASES = new Set(cases.filter((c) => c.tags.includes("udp")).map((c) => c.id));

/**
 * Returns the function that starts a runner for `column` on the given cases.
 *
 * @example
 * ```ts
 * import { runnerStarter } from "./start-runner.js";
 * const start = runnerStarter(column, context);
 * const handle = await start(["close/idempotent"]);
 * ```
 */
export function runnerStarter(column: Column, context: RunContext): (ids: readonly string[]) => Promise<RunnerHandle> {
  let attempt = 0;
  return async (ids) => {
    const config: RunnerConfig = {
      peers: context.peers,
      privateCa: context.privateCa,
      serverTls: context.serverTls,
      ids,
      defaultTimeout: context.defaultTimeout,
      settleMs: 25,
    };
    const binary = column.target === "exec" ? null : _binary(column);
    if (column.target === "workerd" && binary !== null) Object.assign(config, { runtime: `workerd ${_workerdDate(binary.version)}` });
    const file = join(context.dir, `${column.name.replace(/[^A-Za-z0-9._-]/g, "_")}-${attempt++}.mjs`);
    await bundleRunner(column, config, file, context.conditions);
    const ca = { NODE_EXTRA_CA_CERTS: context.caFile };
    switch (column.target) {
      case "node":
        return launchProcess({ command: binary?.path ?? process.execPath, args: [file], env: ca, cwd: context.dir }, context.verbose);
      case "bun":
        return launchProcess(
          { command: _binary(column).path, args: [file], env: { ...ca, DO_NOT_TRACK: "1" }, cwd: context.dir },
          context.verbose,
        );
      case "deno": {
        const net = [...peerHosts(context.peers), ...EXTRA_DENO_HOSTS].join(",");
        const unstable = ids.some((id) => UNSTABLE_NET_CASES.has(id)) ? ["--unstable-net"] : [];
        const args = ["run", "--no-prompt", "--no-config", "--no-lock", ...unstable, `--allow-net=${net}`, file];
        return launchProcess(
          { command: _binary(column).path, args, env: { DENO_CERT: context.caFile, DENO_NO_UPDATE_CHECK: "1" }, cwd: context.dir },
          context.verbose,
        );
      }
      case "workerd": {
        const { path, version } = _binary(column);
        const extra = peerHosts(context.peers)
          .filter((h) => /^\d+\.\d+\.\d+\.\d+$/.test(h) && !h.startsWith("127."))
          .map((h) => `${h}/32`);
        return launchWorkerd(
          { binary: path, version, dir: context.dir, bundle: file, caFile: context.caFile, allow: ["local", ...extra] },
          context.verbose,
        );
      }
      case "exec": {
        const template = context.exec ?? "";
        const command = template.replaceAll("{file}", _quote(file)).replaceAll("{ca}", _quote(context.caFile));
        return launchProcess(
          { command, args: [], env: { ...ca, DENO_CERT: context.caFile }, cwd: context.dir, shell: true },
          context.verbose,
        );
      }
    }
  };
}

/** The column's binary, found by the CLI up front (or here, for a column planned elsewhere). */
function _binary(column: Column): RuntimeBinary {
  return column.binary ?? findRuntime(column.target);
}

function _workerdDate(version: string): string {
  return /^\d+\.(\d{4})(\d{2})(\d{2})\./.exec(version)?.slice(1).join("-") ?? version;
}

function _quote(path: string): string {
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * The peers of @sockets/transport-contract (`node peers.mjs`, a child process): started
 * once per test file, stopped by the file's last test (`stopPeers`).
 *
 * @module
 */
import { peersScript } from "@sockets/transport-contract";

/** The line the peers print: their control URL, and the CA, certificate and key (PEM). */
export interface ContractPeers {
  readonly control: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly child: Deno.ChildProcess;
}

export async function startPeers(): Promise<ContractPeers> {
  const child = new Deno.Command("node", { args: [peersScript], stdin: "piped", stdout: "piped", stderr: "inherit" }).spawn();
  const reader = child.stdout.getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The contract peers exited before printing their address");
    line += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  await child.stdout.cancel();
  return { ...(JSON.parse(line) as Omit<ContractPeers, "child">), child };
}

/** Ends the peers (they exit when their stdin closes) and waits for the process. */
export async function stopPeers(peers: ContractPeers): Promise<void> {
  await peers.child.stdin.close();
  await peers.child.status;
}

// The example servers (../echo, ../tls-alpn, ../smtp) on node, deno and bun, each driven by
// clients nobody here wrote: Python's socket, ssl and smtplib, curl, and openssl s_client
// (plain TLS with ALPN, and -starttls smtp). Every check compares what the client printed
// with what the server must have said; every server is stopped at the end.
import { spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findRuntime } from "@sockets/conformance/runtimes";

const here = dirname(fileURLToPath(import.meta.url));
const examples = dirname(here);
const ca = join(examples, "certs/ca.pem");
const RUNTIMES = {
  node: (script, address) => [process.execPath, [script, address]],
  deno: (script, address) => [findRuntime("deno").path, ["run", "--allow-net", "--allow-read", script, address]],
  bun: (script, address) => [findRuntime("bun").path, [script, address]],
};

function start(runtime, example, port) {
  const [command, args] = RUNTIMES[runtime](join(examples, example, "server.mjs"), `127.0.0.1:${port}`);
  const child = spawn(command, args, { cwd: join(examples, example), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${example} on ${runtime} did not start: ${output}`)), 20_000);
    child.stdout.on("data", () => output.includes("listening on") && (clearTimeout(timer), resolve()));
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`${example} on ${runtime} exited (${code}): ${output}`))));
  });
  return {
    ready,
    stop: () => new Promise((resolve) => (child.exitCode !== null ? resolve() : (child.once("exit", resolve), child.kill("SIGKILL")))),
  };
}

function client(command, args, input = "") {
  const result = spawnSync(command, args, { input, encoding: "utf8", timeout: 15_000, cwd: examples });
  return `${result.stdout}${result.stderr}`;
}

const python = (code) => client("python3", ["-c", code]);

const CHECKS = {
  echo: [
    [
      "python socket",
      (port) =>
        python(
          `import socket;s=socket.create_connection(('127.0.0.1',${port}));s.sendall(b'hello from python');s.shutdown(socket.SHUT_WR);print(s.recv(100).decode())`,
        ),
      "hello from python",
    ],
  ],
  "tls-alpn": [
    ["curl https", (port) => client("curl", ["-sS", "--cacert", ca, `https://localhost:${port}/`]), "over TLS with ALPN http/1.1"],
    [
      "openssl s_client -alpn echo/1",
      (port) =>
        client(
          "openssl",
          ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "localhost", "-alpn", "echo/1", "-CAfile", ca, "-quiet"],
          "ping over echo/1\n",
        ),
      "ping over echo/1",
    ],
    [
      "python ssl",
      (port) =>
        python(
          `import socket,ssl;c=ssl.create_default_context(cafile='${ca}');c.set_alpn_protocols(['echo/1']);s=c.wrap_socket(socket.create_connection(('127.0.0.1',${port})),server_hostname='localhost');s.sendall(b'py tls');print(s.selected_alpn_protocol(),s.recv(100).decode())`,
        ),
      "echo/1 py tls",
    ],
  ],
  smtp: [
    [
      "openssl s_client -starttls smtp",
      (port) =>
        client(
          "openssl",
          ["s_client", "-connect", `127.0.0.1:${port}`, "-starttls", "smtp", "-servername", "localhost", "-CAfile", ca, "-quiet"],
          "EHLO openssl.example\r\nQUIT\r\n",
        ),
      "221 Bye",
    ],
    [
      "python smtplib starttls, twice",
      (port) =>
        python(`import smtplib,ssl
for i in range(2):
  s=smtplib.SMTP('localhost',${port},timeout=10);s.ehlo('py');s.starttls(context=ssl.create_default_context(cafile='${ca}'));s.ehlo('py')
  print(s.sendmail('a@example.com',['b@example.com'],'Subject: x\\r\\n\\r\\nhello\\r\\n'),s.quit())`),
      "{} (221, b'Bye')\n{} (221, b'Bye')",
    ],
  ],
};

let passed = 0;
let failed = 0;
let port = 19_000 + (process.pid % 500) * 2;
for (const runtime of Object.keys(RUNTIMES)) {
  for (const [example, checks] of Object.entries(CHECKS)) {
    port += 1;
    const server = start(runtime, example, port);
    try {
      await server.ready;
      for (const [name, run, expected] of checks) {
        const seen = run(port);
        const ok = seen.includes(expected);
        if (ok) passed++;
        else failed++;
        console.log(
          `${ok ? "✓" : "✗"} ${runtime} ${example}: ${name}${ok ? "" : `\n    expected ${JSON.stringify(expected)} in ${JSON.stringify(seen.slice(-400))}`}`,
        );
      }
    } catch (error) {
      failed++;
      console.log(`✗ ${runtime} ${example}: ${error.message}`);
    } finally {
      await server.stop();
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

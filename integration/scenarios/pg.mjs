/**
 * pg (node-postgres) with pg-cloudflare, over `cloudflare:sockets` → `@sockets/connect`.
 * pg takes that path because the shim presents workerd's user agent and the run uses the
 * `workerd` export condition (pg-cloudflare's real module); `via-cloudflare-socket` checks it.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import pg from "pg";
import { check, checkEqual, rejection, randomBytes, sha256Hex, socketErrorIn, within } from "./_check.mjs";

/** A connection string; `tls` asks for SSLRequest with verify-full semantics. */
function url(env, { tls, host = env.host, port = env.port }) {
  const ssl = tls ? "verify-full" : "disable";
  return `postgres://${env.user}:${encodeURIComponent(env.password)}@${host}:${port}/${env.database}?sslmode=${ssl}`;
}

async function withClient(env, options, fn) {
  const client = new pg.Client({ connectionString: url(env, options), connectionTimeoutMillis: 10_000 });
  client.on("error", () => {}); // reported through the awaited calls below
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await within(5_000, client.end(), "client.end()").catch(() => {});
  }
}

async function sslInfo(client) {
  const { rows } = await client.query("select ssl, version from pg_stat_ssl where pid = pg_backend_pid()");
  return rows[0];
}

/** @type {Array<{ name: string, suite: "trusted" | "untrusted", run(env: object): Promise<string | void> }>} */
export const scenarios = [
  {
    name: "via-cloudflare-socket",
    suite: "trusted",
    async run(env) {
      return withClient(env, { tls: false }, async (client) => {
        const stream = client.connection.stream;
        checkEqual(stream.constructor.name, "CloudflareSocket", "pg's stream class");
        check(stream._cfSocket && typeof stream._cfSocket.startTls === "function", "pg-cloudflare holds a connect() socket");
        const { connect } = await import("cloudflare:sockets");
        const sockets = await import("@sockets/connect");
        check(connect === sockets.connect, "cloudflare:sockets exports @sockets/connect's connect");
        return `stream ${stream.constructor.name}, runtime ${sockets.runtime}`;
      });
    },
  },
  {
    name: "refused-is-socket-error",
    suite: "trusted",
    async run(env) {
      const client = new pg.Client({ connectionString: url(env, { tls: false, port: env.closedPort }) });
      client.on("error", () => {});
      const error = await rejection(within(10_000, client.connect(), "connect to a closed port"), "connect to a closed port");
      const ours = socketErrorIn(error);
      check(ours !== undefined, `the error is a SocketError (got ${error})`);
      checkEqual(ours.code, "ECONNREFUSED", "SocketError code");
      return ours.message;
    },
  },
  {
    name: "plain-scram",
    suite: "trusted",
    async run(env) {
      return withClient(env, { tls: false }, async (client) => {
        const { rows } = await client.query("select current_user as who, 6 * 7 as answer");
        checkEqual(rows[0].who, env.user, "current_user");
        checkEqual(rows[0].answer, 42, "answer");
        checkEqual((await sslInfo(client)).ssl, false, "pg_stat_ssl.ssl");
        return "SCRAM-SHA-256 over plain TCP";
      });
    },
  },
  {
    name: "tls-verify-full",
    suite: "trusted",
    async run(env) {
      return withClient(env, { tls: true, host: "localhost" }, async (client) => {
        const info = await sslInfo(client);
        checkEqual(info.ssl, true, "pg_stat_ssl.ssl");
        check(
          client.connection.stream._upgraded === true || client.connection.stream._cfSocket?.secureTransport === "on",
          "the stream was upgraded with startTls()",
        );
        return `${info.version} via SSLRequest + startTls(), verified for "localhost"`;
      });
    },
  },
  {
    name: "crud",
    suite: "trusted",
    async run(env) {
      return withClient(env, { tls: true }, async (client) => {
        await client.query("create temp table items (id serial primary key, name text not null, qty int)");
        for (const [name, qty] of [
          ["apple", 3],
          ["pear", 5],
          ["plum", 7],
        ]) {
          await client.query("insert into items (name, qty) values ($1, $2)", [name, qty]);
        }
        await client.query("update items set qty = qty * 10 where name = $1", ["pear"]);
        await client.query("delete from items where name = $1", ["plum"]);
        const { rows } = await client.query("select name, qty from items order by id");
        checkEqual(
          JSON.stringify(rows),
          JSON.stringify([
            { name: "apple", qty: 3 },
            { name: "pear", qty: 50 },
          ]),
          "rows",
        );
      });
    },
  },
  {
    name: "bytea-10mib",
    suite: "trusted",
    async run(env) {
      const bytes = randomBytes(10 * 1024 * 1024);
      const hash = await sha256Hex(bytes);
      return withClient(env, { tls: true }, async (client) => {
        await client.query("create temp table blobs (data bytea)");
        await client.query("insert into blobs values ($1)", [Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
        const { rows } = await client.query("select data, encode(sha256(data), 'hex') as server_hash, length(data) as n from blobs");
        checkEqual(rows[0].n, bytes.length, "length on the server");
        checkEqual(rows[0].server_hash, hash, "SHA-256 computed by the server");
        checkEqual(await sha256Hex(rows[0].data), hash, "SHA-256 of the bytes read back");
        return `10 MiB both ways over TLS, sha256 ${hash.slice(0, 12)}…`;
      });
    },
  },
  {
    name: "pool-200-queries-10-connections",
    suite: "trusted",
    async run(env) {
      const pool = new pg.Pool({ connectionString: url(env, { tls: true }), max: 10, connectionTimeoutMillis: 10_000 });
      pool.on("error", () => {});
      try {
        const results = await Promise.all(
          Array.from({ length: 200 }, (_, i) =>
            pool.query("select pg_backend_pid() as pid, $1::int * 2 as doubled, pg_sleep(0.005)", [i]).then(({ rows }) => {
              checkEqual(rows[0].doubled, i * 2, `query ${i}'s result`);
              return rows[0].pid;
            }),
          ),
        );
        const pids = new Set(results);
        check(pids.size <= 10, `at most 10 backends (saw ${pids.size})`);
        check(pids.size > 1, `queries ran on several connections in parallel (saw ${pids.size})`);
        return `200 queries on ${pids.size} connections`;
      } finally {
        await within(10_000, pool.end(), "pool.end()").catch(() => {});
      }
    },
  },
  {
    name: "listen-notify",
    suite: "trusted",
    async run(env) {
      return withClient(env, { tls: true }, async (listener) => {
        const got = new Promise((resolve) => listener.on("notification", resolve));
        await listener.query("listen sockets_test");
        await withClient(env, { tls: true }, (sender) => sender.query("select pg_notify('sockets_test', $1)", ["hello over @sockets"]));
        const message = await within(10_000, got, "the notification");
        checkEqual(message.channel, "sockets_test", "channel");
        checkEqual(message.payload, "hello over @sockets", "payload");
      });
    },
  },
  {
    name: "server-error",
    suite: "trusted",
    async run(env) {
      return withClient(env, { tls: true }, async (client) => {
        const error = await rejection(client.query("select 1 / 0"), "select 1 / 0");
        checkEqual(error.code, "22012", "SQLSTATE");
        check(/division by zero/.test(error.message), `message (${error.message})`);
        const { rows } = await client.query("select 'still usable' as s");
        checkEqual(rows[0].s, "still usable", "the next query");
        return `${error.code} ${error.message}; connection still usable`;
      });
    },
  },
  {
    name: "backend-terminated",
    suite: "trusted",
    async run(env) {
      const victim = new pg.Client({ connectionString: url(env, { tls: true }), connectionTimeoutMillis: 10_000 });
      const emitted = new Promise((resolve) => victim.on("error", resolve));
      await victim.connect();
      try {
        const pid = (await victim.query("select pg_backend_pid() as pid")).rows[0].pid;
        const sleeping = victim.query("select pg_sleep(60)");
        sleeping.catch(() => {});
        await withClient(env, { tls: true }, async (admin) => {
          // wait until the victim's query is running, then end its backend
          await within(
            10_000,
            (async () => {
              for (;;) {
                const { rows } = await admin.query("select state from pg_stat_activity where pid = $1", [pid]);
                if (rows[0]?.state === "active") return;
                await new Promise((r) => setTimeout(r, 20));
              }
            })(),
            "the victim's query to start",
          );
          const { rows } = await admin.query("select pg_terminate_backend($1) as ok", [pid]);
          checkEqual(rows[0].ok, true, "pg_terminate_backend");
        });
        const error = await within(10_000, rejection(sleeping, "the terminated query"), "the terminated query to fail");
        check(
          error.code === "57P01" || /terminat/i.test(error.message),
          `error says the backend was terminated (${error.code} ${error.message})`,
        );
        await within(10_000, emitted, "the client's error event");
        return `${error.code ?? ""} ${error.message}`.trim();
      } finally {
        await within(5_000, victim.end(), "victim.end()").catch(() => {});
      }
    },
  },
  {
    name: "wrong-ca-rejected",
    suite: "untrusted",
    async run(env) {
      const client = new pg.Client({ connectionString: url(env, { tls: true, host: "localhost" }), connectionTimeoutMillis: 10_000 });
      client.on("error", () => {});
      // (no end() afterwards: pg's end() waits for an 'end' the failed connection never emits)
      const error = await rejection(within(10_000, client.connect(), "TLS connect with the wrong CA"), "TLS connect with the wrong CA");
      const ours = socketErrorIn(error);
      check(ours !== undefined, `the error is a SocketError (got ${error})`);
      checkEqual(ours.code, "ETLS", "SocketError code");
      // the same server over plain TCP works: it is the certificate that was refused
      await withClient(env, { tls: false }, (c) => c.query("select 1"));
      return ours.message;
    },
  },
];

/**
 * postgres (porsager/postgres.js), its Workers build (selected by the `workerd` export
 * condition) over `cloudflare:sockets` → `@sockets/connect`, in both majors users have:
 * 4.x (`postgres`, `src/cf.js`, what `npm i postgres` installs) and 3.x (`postgres3`, an npm
 * alias of postgres@3, its `cf/` build).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import postgres4 from "postgres";
import postgres3 from "postgres3";
import { check, checkEqual, rejection, randomBytes, sha256Hex, socketErrorIn, within } from "./_check.mjs";

/** The two majors: the module, and the file its Workers build's PostgresError lives in. */
const MAJORS = [
  { driver: "postgres", postgres: postgres4, specifier: "postgres", workersErrors: (url) => new URL("errors.js", url) },
  // 3.x resolves to cf/src/index.js, or on Bun to src/index.js (which the Bun preload serves as the cf/ build)
  {
    driver: "postgres3",
    postgres: postgres3,
    specifier: "postgres3",
    workersErrors: (url) => new URL("../cf/src/errors.js", url.replace(/\/cf\/src\/index\.js$/, "/src/index.js")),
  },
];

let postgres;

/** A client; `tls` asks for SSLRequest with verify-full semantics. */
function sqlFor(env, { tls, host = env.host, port = env.port, max = 1 }) {
  return postgres({
    host,
    port,
    user: env.user,
    pass: env.password,
    database: env.database,
    ssl: tls ? "verify-full" : false,
    max,
    connect_timeout: 10,
    onnotice: () => {},
  });
}

async function withSql(env, options, fn) {
  const sql = sqlFor(env, options);
  try {
    return await fn(sql);
  } finally {
    await within(5_000, sql.end({ timeout: 1 }), "sql.end()").catch(() => {});
  }
}

/**
 * The scenarios, once per major (`postgres/…` for 4.x, `postgres3/…` for 3.x).
 *
 * @type {Array<{ driver: string, name: string, suite: "trusted" | "untrusted", run(env: object): Promise<string | void> }>}
 */
export const scenarios = MAJORS.flatMap((major) =>
  _scenarios(major).map((s) => ({
    ...s,
    driver: major.driver,
    run: (env) => {
      postgres = major.postgres;
      return s.run(env);
    },
  })),
);

function _scenarios(major) {
  return [
    {
      name: "via-cloudflare-socket",
      suite: "trusted",
      async run() {
        // The Workers build's PostgresError (4.x: src/errors.js next to src/cf.js; 3.x:
        // cf/src/errors.js): the class we were given must be that build's, which connects
        // through cloudflare:sockets, not the node:net build's.
        const entry = import.meta.resolve(major.specifier);
        const errors = await import(major.workersErrors(entry).href);
        check(
          postgres.PostgresError === errors.PostgresError,
          `the ${major.driver} module in use is its Workers build (resolved ${entry.slice(-30)})`,
        );
        const { connect } = await import("cloudflare:sockets");
        const sockets = await import("@sockets/connect");
        check(connect === sockets.connect, "cloudflare:sockets exports @sockets/connect's connect");
        return `${major.driver}: runtime ${sockets.runtime}`;
      },
    },
    {
      name: "refused-is-socket-error",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: false, port: env.closedPort }, async (sql) => {
          const error = await rejection(within(10_000, sql`select 1`, "query against a closed port"), "query against a closed port");
          // postgres' Workers build hands the socket's error on as is: ours, or nothing ran through us
          const ours = socketErrorIn(error);
          check(ours !== undefined, `the error is a SocketError (got ${error})`);
          checkEqual(ours.code, "ECONNREFUSED", "SocketError code");
          return { detail: ours.message, error: ours };
        });
      },
    },
    {
      name: "plain-scram",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: false }, async (sql) => {
          const [row] = await sql`select current_user as who, 6 * 7 as answer`;
          checkEqual(row.who, env.user, "current_user");
          checkEqual(row.answer, 42, "answer");
          const [info] = await sql`select ssl from pg_stat_ssl where pid = pg_backend_pid()`;
          checkEqual(info.ssl, false, "pg_stat_ssl.ssl");
          return "SCRAM-SHA-256 over plain TCP";
        });
      },
    },
    {
      name: "tls-verify-full",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: true, host: "localhost" }, async (sql) => {
          const [info] = await sql`select ssl, version from pg_stat_ssl where pid = pg_backend_pid()`;
          checkEqual(info.ssl, true, "pg_stat_ssl.ssl");
          return `${info.version} via SSLRequest + startTls(), verified for "localhost"`;
        });
      },
    },
    {
      name: "crud",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: true }, async (sql) => {
          await sql`create temp table items (id serial primary key, name text not null, qty int)`;
          for (const [name, qty] of [
            ["apple", 3],
            ["pear", 5],
            ["plum", 7],
          ])
            await sql`insert into items (name, qty) values (${name}, ${qty})`;
          await sql`update items set qty = qty * 10 where name = ${"pear"}`;
          await sql`delete from items where name = ${"plum"}`;
          const rows = await sql`select name, qty from items order by id`;
          checkEqual(
            JSON.stringify([...rows]),
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
        return withSql(env, { tls: true }, async (sql) => {
          await sql`create temp table blobs (data bytea)`;
          await sql`insert into blobs values (${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)})`;
          const [row] = await sql`select data, encode(sha256(data), 'hex') as server_hash, length(data) as n from blobs`;
          checkEqual(row.n, bytes.length, "length on the server");
          checkEqual(row.server_hash, hash, "SHA-256 computed by the server");
          checkEqual(await sha256Hex(row.data), hash, "SHA-256 of the bytes read back");
          return `10 MiB both ways over TLS, sha256 ${hash.slice(0, 12)}…`;
        });
      },
    },
    {
      name: "pool-200-queries-10-connections",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: true, max: 10 }, async (sql) => {
          const pids = await Promise.all(
            Array.from({ length: 200 }, async (_, i) => {
              const [row] = await sql`select pg_backend_pid() as pid, ${i}::int * 2 as doubled, pg_sleep(0.005)`;
              checkEqual(row.doubled, i * 2, `query ${i}'s result`);
              return row.pid;
            }),
          );
          const distinct = new Set(pids);
          check(distinct.size <= 10, `at most 10 backends (saw ${distinct.size})`);
          check(distinct.size > 1, `queries ran on several connections in parallel (saw ${distinct.size})`);
          return `200 queries on ${distinct.size} connections`;
        });
      },
    },
    {
      name: "listen-notify",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: true, max: 2 }, async (sql) => {
          let received;
          const got = new Promise((resolve) => (received = resolve));
          await sql.listen("sockets_test", (payload) => received(payload));
          await sql.notify("sockets_test", "hello over @sockets");
          checkEqual(await within(10_000, got, "the notification"), "hello over @sockets", "payload");
        });
      },
    },
    {
      name: "server-error",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: true }, async (sql) => {
          const error = await rejection(sql`select 1 / 0`, "select 1 / 0");
          checkEqual(error.code, "22012", "SQLSTATE");
          check(error instanceof postgres.PostgresError, `a PostgresError (${error.name})`);
          const [row] = await sql`select 'still usable' as s`;
          checkEqual(row.s, "still usable", "the next query");
          return `${error.code} ${error.message}; connection still usable`;
        });
      },
    },
    {
      name: "backend-terminated",
      suite: "trusted",
      async run(env) {
        return withSql(env, { tls: true }, async (victim) => {
          const [{ pid }] = await victim`select pg_backend_pid() as pid`;
          const sleeping = victim`select pg_sleep(60)`.execute();
          sleeping.catch(() => {});
          await withSql(env, { tls: true }, async (admin) => {
            await within(
              10_000,
              (async () => {
                for (;;) {
                  const [row] = await admin`select state from pg_stat_activity where pid = ${pid}`;
                  if (row?.state === "active") return;
                  await new Promise((r) => setTimeout(r, 20));
                }
              })(),
              "the victim's query to start",
            );
            const [row] = await admin`select pg_terminate_backend(${pid}) as ok`;
            checkEqual(row.ok, true, "pg_terminate_backend");
          });
          const error = await within(10_000, rejection(sleeping, "the terminated query"), "the terminated query to fail");
          // postgres.js reports the connection loss (CONNECTION_CLOSED) rather than the
          // server's FATAL 57P01, with its node:net build as well (checked on Node).
          check(["57P01", "CONNECTION_CLOSED"].includes(error.code), `error says the connection ended (${error.code} ${error.message})`);
          // the client reconnects for the next query
          // postgres.js then hands the server's FATAL 57P01 to the next query, and reconnects
          // for the one after (the same with its node:net build, checked on Node).
          const next = await within(
            10_000,
            victim`select pg_backend_pid() as pid`.then(
              (rows) => rows,
              (e) => e,
            ),
            "the next query",
          );
          check(Array.isArray(next) || next.code === "57P01", `the next query succeeds or reports 57P01 (${next.code} ${next.message})`);
          const [again] = Array.isArray(next) ? next : await within(10_000, victim`select pg_backend_pid() as pid`, "a query after that");
          check(again.pid !== pid, "a new backend serves the client after the termination");
          return `${error.code ?? ""} ${error.message}; next query on a new connection`.trim();
        });
      },
    },
    {
      name: "wrong-ca-rejected",
      suite: "untrusted",
      async run(env) {
        const error = await withSql(env, { tls: true, host: "localhost" }, (sql) =>
          rejection(within(10_000, sql`select 1`, "TLS connect with the wrong CA"), "TLS connect with the wrong CA"),
        );
        const ours = socketErrorIn(error);
        check(ours !== undefined, `the error is a SocketError (got ${error})`);
        checkEqual(ours.code, "ETLS", "SocketError code");
        await withSql(env, { tls: false }, (sql) => sql`select 1`);
        // `error` lets the runner recognise the driver re-emitting it (known-driver-defects.mjs)
        return { detail: ours.message, error: ours };
      },
    },
  ];
}

// pg (node-postgres) as a Cloudflare Worker would use it: pg sees workerd's user agent and
// connects through pg-cloudflare, that is through `cloudflare:sockets`, which the shim maps
// to @sockets/connect. Nothing here is specific to Node, Deno or Bun.
//
//   DATABASE_URL=postgres://user:pw@localhost:5432/db?sslmode=verify-full \
//   node --conditions=workerd --import @sockets/cloudflare-shim/node-register main.mjs
import process from "node:process";
import pg from "pg";

const client = new pg.Client(process.env.DATABASE_URL);
await client.connect();
try {
  const { rows } = await client.query(
    "select current_user as who, ssl as tls, version as protocol from pg_stat_ssl where pid = pg_backend_pid()",
  );
  console.log("pg:", rows[0]);
} finally {
  await client.end();
}

// postgres (postgres.js) as a Cloudflare Worker would use it: `--conditions=workerd`
// selects its Workers build, which connects through `cloudflare:sockets`, which the shim
// maps to @sockets/connect. Nothing here is specific to Node, Deno or Bun.
//
//   DATABASE_URL=postgres://user:pw@localhost:5432/db?sslmode=verify-full \
//   node --conditions=workerd --import @sockets/cloudflare-shim/node-register main.mjs
import process from "node:process";
import postgres from "postgres";

const sql = postgres(process.env.DATABASE_URL, { max: 1 });
try {
  const [row] = await sql`select current_user as who, ssl as tls, version as protocol from pg_stat_ssl where pid = pg_backend_pid()`;
  console.log("postgres:", row);
} finally {
  await sql.end();
}

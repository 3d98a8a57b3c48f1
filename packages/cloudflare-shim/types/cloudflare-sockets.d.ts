// What `cloudflare:sockets` is once this package's Node hook, Deno preload or Bun plugin is
// installed: its `sockets` entry. Local only, for the JSDoc examples (which are code written
// for Workers, importing that specifier): scripts/check-jsdoc-examples.mjs loads types/*.d.ts.
// It is neither built nor published, and it avoids a dependency on workers-types.
declare module "cloudflare:sockets" {
  export { connect } from "@sockets/connect";
}

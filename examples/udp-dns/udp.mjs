// udp() for the runtime this runs on. In your own project import it from the runtime's
// package instead: `import { udp } from "@sockets/node"` (or "@sockets/deno", "@sockets/bun").
// Here it comes from this repository's builds (run `npx --yes pnpm@12.21.0 build` first).
const runtime = typeof globalThis.Deno !== "undefined" ? "deno" : typeof globalThis.Bun !== "undefined" ? "bun" : "node";
export const { udp } = await import(`../../packages/${runtime}/dist/index.js`);

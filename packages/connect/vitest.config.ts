import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// `cloudflare:sockets` exists only inside workerd. Unit tests of the workerd wrapper's
// state logic run against a scripted stand-in (test/fake-cloudflare-sockets.ts); the real
// thing is exercised by the conformance run on workerd and test/selection/run-all.mjs.
export default defineConfig({
  resolve: {
    alias: { "cloudflare:sockets": fileURLToPath(new URL("./test/fake-cloudflare-sockets.ts", import.meta.url)) },
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 10_000,
  },
});

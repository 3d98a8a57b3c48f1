import { defineConfig } from "vitest/config";

// The fixtures start once, in the main vitest process (test/global-setup.ts), which also
// sets NODE_EXTRA_CA_CERTS before the forked workers start: Node reads it only at
// process start, so the workers trust the run's test CA exactly as a runner would.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

#!/usr/bin/env node
/**
 * The `sockets-conformance` bin. See `--help` and the package README.
 *
 * @module
 */
import { runCli } from "./run-cli.js";

process.exitCode = await runCli(process.argv.slice(2));

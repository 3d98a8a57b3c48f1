/**
 * Every scenario, in the order of the brief's priorities: the TLS matrix and hostile input
 * first, then faults, races, load and leaks, then the server side (`listen()`).
 *
 * @module
 */
import { faultScenarios } from "./faults.mjs";
import { hostileScenarios } from "./hostile.mjs";
import { loadScenarios } from "./load.mjs";
import { raceScenarios } from "./races.mjs";
import { serverScenarios } from "./server.mjs";
import { tlsScenarios } from "./tls.mjs";

export const scenarios = [...tlsScenarios, ...hostileScenarios, ...faultScenarios, ...raceScenarios, ...loadScenarios, ...serverScenarios];

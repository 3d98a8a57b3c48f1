/**
 * Driver defects this suite tolerates, as data: a scenario may leave an unhandled
 * rejection only if it is listed here (with the reason and the upstream report), and only
 * if the rejection is the very error the scenario already received from the driver (a
 * re-emission, not a new failure). Anything else unhandled fails the scenario.
 *
 * @module
 */
export const knownDriverDefects = [
  {
    id: "postgres/refused-is-socket-error",
    reason:
      "The same postgres.js polyfill defect as below: a refused connection rejects closed, the pending write (the startup message) " +
      "and the pending read; the write's and the read's handlers each emit 'error' then 'close', so the second finds no listener. " +
      "workerd rejects them in the same way (order checked: closed, write, read), so it happens there too.",
    upstream: "https://github.com/porsager/postgres/issues/1196",
  },
  {
    id: "postgres/wrong-ca-rejected",
    reason:
      "postgres.js's Workers polyfill (cf/polyfills.js) emits 'error' from each of closed, the pending write and the read loop, " +
      "and 'close' after the first of the last two; on 'close' the connection removes every listener, so the next 'error' has none " +
      "and EventEmitter throws it inside a promise reaction (an unhandled rejection; fatal by default on Node, Deno and Bun, logged on workerd). " +
      "After a failed TLS handshake both a write (the startup message) and a read are pending, so it always happens.",
    upstream: "https://github.com/porsager/postgres/issues/1196",
  },
];

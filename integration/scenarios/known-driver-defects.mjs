/**
 * Driver defects this suite tolerates, as data: a scenario may leave an unhandled
 * rejection only if it is listed here (with the reason and the upstream report), and only
 * if the rejection is the very error the scenario already received from the driver (a
 * re-emission, not a new failure). Anything else unhandled fails the scenario.
 *
 * @module
 */
// postgres 4.x (`postgres/…`) has none: its Workers build (src/cf.js) emits 'error' once.
export const knownDriverDefects = [
  {
    id: "postgres3/refused-is-socket-error",
    reason:
      "The same postgres.js 3.x polyfill defect as below: a refused connection rejects closed, the pending write (the startup message) " +
      "and the pending read; the write's and the read's handlers each emit 'error' then 'close', so the second finds no listener. " +
      "workerd rejects them in the same way (measured on workerd 2026-11-17: closed, opened, the pending write, the pending read; " +
      "postgres 3.4.10 there logs an unhandled rejection 'Stream was cancelled.' after the query got the error), so it happens there too. " +
      "Not writer.ready: 3.x reads it right after getWriter(), while it is still fulfilled, on workerd and here alike.",
    upstream: "https://github.com/porsager/postgres/issues/1196",
  },
  {
    id: "postgres3/wrong-ca-rejected",
    reason:
      "postgres.js 3.x's Workers polyfill (cf/polyfills.js) emits 'error' from each of closed, the pending write and the read loop, " +
      "and 'close' after the first of the last two; on 'close' the connection removes every listener, so the next 'error' has none " +
      "and EventEmitter throws it inside a promise reaction (an unhandled rejection; fatal by default on Node, Deno and Bun, logged on workerd). " +
      "After a failed TLS handshake both a write (the startup message) and a read are pending, so it always happens.",
    upstream: "https://github.com/porsager/postgres/issues/1196",
  },
];

/**
 * Questions from the runtime to the parent over the protocol channel: a request line
 * `@@reliability {"type","id",…}` on stdout, and one answer line `{"id","value"}` (or
 * `{"id","error"}`) on stdin. Ids let slow answers (a fault driver running a thousand
 * Node clients) and quick ones (an fd count asked meanwhile) come back in any order.
 * Portable: the runtime entry feeds it the stdin text.
 *
 * @module
 */
import { LINE_PREFIX } from "./harness.mjs";

/**
 * @example
 * ```js
 * const asker = createAsker((line) => process.stdout.write(line + "\n"));
 * process.stdin.setEncoding("utf8").on("data", (text) => asker.feed(text));
 * const fds = await asker.ask("fds");
 * ```
 */
export function createAsker(send) {
  let next = 0;
  let text = "";
  const waiting = new Map();
  return {
    /** Sends a request; resolves its answer's value, rejects with its error. */
    ask(type, payload = {}) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        send(LINE_PREFIX + JSON.stringify({ type, id, ...payload }));
      });
    },
    /** Feeds text read from stdin (any chunking). */
    feed(chunk) {
      text += chunk;
      let at;
      while ((at = text.indexOf("\n")) >= 0) {
        const { id, value, error } = JSON.parse(text.slice(0, at));
        text = text.slice(at + 1);
        const entry = waiting.get(id);
        waiting.delete(id);
        if (error !== undefined) entry?.reject(new Error(error));
        else entry?.resolve(value);
      }
    },
  };
}

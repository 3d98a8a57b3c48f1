// One SMTP session (RFC 5321 subset: EHLO/HELO, STARTTLS, MAIL, RCPT, DATA, RSET, NOOP,
// QUIT) over a WinterTC Socket. It accepts every message and says how big it was; nothing
// is stored. Shared by the STARTTLS server (server.mjs) and the Socket Worker
// (../socket-worker/app.mjs). Web APIs only: it runs on Node, Deno, Bun and workerd.

const encoder = new TextEncoder();

/**
 * Serves one SMTP session on `socket` until the client quits or goes away.
 * `startTls`: offer STARTTLS (the socket must come from a `secureTransport: "starttls"`
 * listener); after the upgrade the session goes on over TLS, as RFC 3207 says: from scratch.
 */
export async function smtpSession(socket, { startTls = false, name = "sockets.example" } = {}) {
  let lines = new LineReader(socket.readable);
  let writer = socket.writable.getWriter();
  let secure = false;
  const reply = (...replies) => writer.write(encoder.encode(replies.map((r) => r + "\r\n").join("")));
  let from = null;
  let recipients = [];
  let messages = 0;
  await reply(`220 ${name} ESMTP ready`);
  for (let line; (line = await lines.next()) !== null;) {
    const [verb, ...rest] = line.split(" ");
    const argument = rest.join(" ");
    switch (verb.toUpperCase()) {
      case "EHLO": {
        const extensions = startTls && !secure ? ["STARTTLS", "8BITMIME"] : ["8BITMIME"];
        await reply(
          `250-${name} greets ${argument || "you"}`,
          ...extensions.map((e, i) => `250${i === extensions.length - 1 ? " " : "-"}${e}`),
        );
        break;
      }
      case "HELO":
        await reply(`250 ${name} greets ${argument || "you"}`);
        break;
      case "STARTTLS": {
        if (!startTls || secure) {
          await reply("502 STARTTLS not available");
          break;
        }
        await reply("220 Ready to start TLS");
        // Anything the client pipelined after STARTTLS came in plain text: dropped (RFC 3207 §4.2).
        lines.release();
        writer.releaseLock();
        socket = socket.startTls();
        await socket.opened;
        lines = new LineReader(socket.readable);
        writer = socket.writable.getWriter();
        secure = true;
        from = null;
        recipients = [];
        break;
      }
      case "MAIL":
        from = /<(.*)>/.exec(argument)?.[1] ?? "";
        recipients = [];
        await reply("250 OK");
        break;
      case "RCPT":
        if (from === null) {
          await reply("503 MAIL first");
          break;
        }
        recipients.push(/<(.*)>/.exec(argument)?.[1] ?? "");
        await reply("250 OK");
        break;
      case "DATA": {
        if (recipients.length === 0) {
          await reply("503 RCPT first");
          break;
        }
        await reply("354 End data with <CR><LF>.<CR><LF>");
        let size = 0;
        for (let body; (body = await lines.next()) !== null && body !== ".";) size += body.length - (body.startsWith("..") ? 1 : 0) + 2;
        messages++;
        await reply(
          `250 OK: message ${messages} from <${from}> to ${recipients.length} recipient(s), ${size} bytes${secure ? ", over TLS" : ""}`,
        );
        from = null;
        recipients = [];
        break;
      }
      case "RSET":
        from = null;
        recipients = [];
        await reply("250 OK");
        break;
      case "NOOP":
        await reply("250 OK");
        break;
      case "QUIT":
        await reply("221 Bye");
        await writer.close();
        return;
      default:
        await reply(`502 Command not implemented: ${verb}`);
    }
  }
}

/** Lines (CRLF or LF) of a byte stream, read one at a time; `release()` gives the stream back. */
class LineReader {
  #reader;
  #decoder = new TextDecoder();
  #buffered = "";
  constructor(readable) {
    this.#reader = readable.getReader();
  }
  async next() {
    for (;;) {
      const end = this.#buffered.indexOf("\n");
      if (end !== -1) {
        const line = this.#buffered.slice(0, end).replace(/\r$/, "");
        this.#buffered = this.#buffered.slice(end + 1);
        return line;
      }
      const { done, value } = await this.#reader.read();
      if (done) {
        const rest = this.#buffered;
        this.#buffered = "";
        return rest === "" ? null : rest;
      }
      this.#buffered += this.#decoder.decode(value, { stream: true });
    }
  }
  release() {
    this.#buffered = "";
    this.#reader.releaseLock();
  }
}

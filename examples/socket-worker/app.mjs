// A Socket Worker: the SMTP receiver of ../smtp/session.mjs as a `connect` handler. The
// same file runs on workerd (config.capnp) and, through `sockets-serve`, on Node, Deno and
// Bun. The handler awaits the whole session: on workerd (and under serve(), which follows
// workerd's rule) the socket lives as long as the handler's promise.
import { adopt } from "@sockets/connect";
import { smtpSession } from "../smtp/session.mjs";

export default {
  async connect(inbound) {
    // workerd's inbound socket, normalised (one SocketError, close() returning closed, …);
    // on Node, Deno and Bun it is already ours.
    await smtpSession(adopt(inbound));
  },
};

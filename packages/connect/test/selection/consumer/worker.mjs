// workerd: bundled with the workerd conditions, run by the real workerd binary.
import * as m from "@sockets/connect";
import { check } from "./check.mjs";

export default {
  async fetch(request) {
    const echo = new URL(request.url).searchParams.get("echo");
    try {
      return Response.json(await check(m, echo));
    } catch (error) {
      return Response.json({ error: String(error?.stack ?? error) }, { status: 500 });
    }
  },
};

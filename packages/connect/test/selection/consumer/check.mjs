// What every selection run reports about the @sockets/connect it imported: the runtime
// tag, the export names, that the branch's connect() validates synchronously with the
// branch's own SocketError, and (given an echo server) one real round trip on loopback.
export async function check(m, echo) {
  const result = { runtime: m.runtime, exports: Object.keys(m).sort() };
  try {
    m.connect("no-port-here");
    result.invalid = "did not throw";
  } catch (error) {
    result.invalid = { socketError: error instanceof m.SocketError, typeError: error instanceof TypeError, code: error?.code };
  }
  if (echo) {
    const socket = m.connect(echo);
    const message = `ping from ${m.runtime}`;
    const writer = socket.writable.getWriter();
    await writer.write(new TextEncoder().encode(message));
    const reader = socket.readable.getReader();
    const decoder = new TextDecoder();
    let text = "";
    while (text.length < message.length) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    result.echo = text;
    reader.releaseLock();
    writer.releaseLock();
    await socket.close();
  }
  return result;
}

export function args() {
  return globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
}

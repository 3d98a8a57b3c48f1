// A small authoritative DNS responder on udp() bound mode: one socket, any number of
// clients, each answer written to the peer its query came from.
//   node server.mjs [port]  |  deno run --unstable-net --allow-net server.mjs [port]  |  bun server.mjs [port]
// then: dig @127.0.0.1 -p 5300 hello.sockets.test
import { decodeQuestion, encodeResponse, TYPES } from "./dns-wire.mjs";
import { udp } from "./udp.mjs";

const ZONE = {
  "sockets.test": { A: ["10.0.0.53"] },
  "hello.sockets.test": { A: ["127.0.0.1", "127.0.0.2"], AAAA: ["::1"] },
};

const port = Number(globalThis.process?.argv?.[2] ?? globalThis.Deno?.args?.[0] ?? 5300);
const server = udp({ localAddress: "127.0.0.1", localPort: port });
const { localAddress, localPort } = await server.opened;
console.log(`dns responder on ${localAddress}:${localPort}`);

let writer = server.writable.getWriter();
for await (const { data, remoteAddress, remotePort } of server) {
  let question;
  try {
    question = decodeQuestion(data);
  } catch {
    continue; // not a query: UDP servers ignore garbage
  }
  const entry = ZONE[question.name.replace(/\.$/, "")];
  const type = Object.keys(TYPES).find((t) => TYPES[t] === question.type);
  const records = (entry?.[type] ?? []).map((value) => ({ type: question.type, ttl: 60, data: rdata(type, value) }));
  const reply = encodeResponse(data, question, records, entry === undefined ? 3 : 0);
  console.log(
    `${remoteAddress}:${remotePort} ${type ?? question.type} ${question.name} -> ${entry === undefined ? "NXDOMAIN" : records.length + " answer(s)"}`,
  );
  try {
    await writer.write({ data: reply, remoteAddress, remotePort });
  } catch (error) {
    console.warn("reply lost:", error.message);
    writer = server.writable.getWriter(); // a failed datagram errors that stream; the socket has a fresh one
  }
}

function rdata(type, value) {
  if (type === "A") return Uint8Array.from(value.split(".").map(Number));
  const groups = value.split("::");
  const head = groups[0] ? groups[0].split(":") : [];
  const tail = groups[1] ? groups[1].split(":") : [];
  const words = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail].map((h) => parseInt(h, 16));
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

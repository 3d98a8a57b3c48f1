// A DNS client on udp() connected mode: one query to one server, the answers printed.
//   node query.mjs <server-port> <name> [A|AAAA]  (also deno run --unstable-net --allow-net, bun)
import { decodeResponse, encodeQuery } from "./dns-wire.mjs";
import { udp } from "./udp.mjs";

const [port = "53", name = "hello.sockets.test", type = "A"] = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
const dns = udp({ remoteAddress: "127.0.0.1", remotePort: Number(port) });
const id = Math.floor(Math.random() * 0x10000);
const writer = dns.writable.getWriter();
await writer.write(encodeQuery(id, name, type)); // one write = one datagram
const timer = setTimeout(() => void dns.close(new Error(`no answer from 127.0.0.1:${port} within 3 s`)), 3000);
const { value } = await dns.readable.getReader().read(); // one read = one datagram
clearTimeout(timer);
const response = decodeResponse(value.data);
if (response.id !== id) throw new Error("an answer to another query");
console.log(`${name} ${type} from ${value.remoteAddress}:${value.remotePort}: rcode ${response.rcode}`);
for (const answer of response.answers) console.log(`  ${answer.name} ${answer.ttl} ${answer.type} ${answer.value}`);
await dns.close();

// The few parts of the DNS wire format (RFC 1035) the example needs: a query, the question
// of a query, an answer for it, and the answers of a response. Not a general DNS library.
const TYPES = { A: 1, CNAME: 5, TXT: 16, AAAA: 28 };
const NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));

/** A recursive query for `name`, type `type` ("A", "AAAA", …). */
export function encodeQuery(id, name, type = "A") {
  const qname = encodeName(name);
  const out = new Uint8Array(12 + qname.length + 4);
  const view = new DataView(out.buffer);
  view.setUint16(0, id);
  view.setUint16(2, 0x0100); // RD
  view.setUint16(4, 1); // QDCOUNT
  out.set(qname, 12);
  view.setUint16(12 + qname.length, TYPES[type]);
  view.setUint16(14 + qname.length, 1); // IN
  return out;
}

function encodeName(name) {
  const labels = name.replace(/\.$/, "").split(".").filter(Boolean);
  const parts = labels.map((label) => new TextEncoder().encode(label));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 1));
  let at = 0;
  for (const part of parts) {
    out[at++] = part.length;
    out.set(part, at);
    at += part.length;
  }
  return out; // ends with the root label (0)
}

/** Reads a (possibly compressed) name at `offset`: [name, offset after it]. */
function readName(msg, offset) {
  const labels = [];
  let end = -1;
  for (let jumps = 0; jumps < 32; jumps++) {
    const len = msg[offset];
    if (len === undefined) throw new Error("truncated name");
    if (len === 0) return [labels.join("."), end === -1 ? offset + 1 : end];
    if ((len & 0xc0) === 0xc0) {
      if (end === -1) end = offset + 2;
      offset = ((len & 0x3f) << 8) | msg[offset + 1];
      continue;
    }
    labels.push(new TextDecoder().decode(msg.subarray(offset + 1, offset + 1 + len)));
    offset += 1 + len;
  }
  throw new Error("name compression loop");
}

/** The first question of a query: { id, rd, name, type, qclass, questionEnd }. */
export function decodeQuestion(msg) {
  if (msg.byteLength < 17) throw new Error("not a DNS query");
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const [name, at] = readName(msg, 12);
  return {
    id: view.getUint16(0),
    rd: view.getUint16(2) & 0x0100,
    name: name.toLowerCase(),
    type: view.getUint16(at),
    qclass: view.getUint16(at + 2),
    questionEnd: at + 4,
  };
}

/** The response to `query`: `records` are { type, ttl, data: Uint8Array }; `rcode` 0 (NOERROR) or 3 (NXDOMAIN). */
export function encodeResponse(query, question, records, rcode) {
  const size = question.questionEnd + records.reduce((n, r) => n + 12 + r.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, question.id);
  view.setUint16(2, 0x8000 | 0x0400 | question.rd | rcode); // QR, AA, RD as asked
  view.setUint16(4, 1);
  view.setUint16(6, records.length);
  out.set(query.subarray(12, question.questionEnd), 12);
  let at = question.questionEnd;
  for (const record of records) {
    view.setUint16(at, 0xc00c); // the name of the question
    view.setUint16(at + 2, record.type);
    view.setUint16(at + 4, 1);
    view.setUint32(at + 6, record.ttl);
    view.setUint16(at + 10, record.data.length);
    out.set(record.data, at + 12);
    at += 12 + record.data.length;
  }
  return out;
}

/** A response's header and answers, readable: { id, rcode, answers: [{ name, type, ttl, value }] }. */
export function decodeResponse(msg) {
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  let at = 12;
  for (let q = view.getUint16(4); q > 0; q--) at = readName(msg, at)[1] + 4;
  const answers = [];
  for (let a = view.getUint16(6); a > 0; a--) {
    const [name, next] = readName(msg, at);
    const type = view.getUint16(next);
    const ttl = view.getUint32(next + 4);
    const length = view.getUint16(next + 8);
    const rdata = msg.subarray(next + 10, next + 10 + length);
    answers.push({ name, type: NAMES[type] ?? type, ttl, value: rdataText(msg, type, rdata, next + 10) });
    at = next + 10 + length;
  }
  return { id: view.getUint16(0), rcode: view.getUint16(2) & 0x000f, answers };
}

function rdataText(msg, type, rdata, offset) {
  if (type === TYPES.A) return rdata.join(".");
  if (type === TYPES.AAAA) return Array.from({ length: 8 }, (_, i) => ((rdata[2 * i] << 8) | rdata[2 * i + 1]).toString(16)).join(":");
  if (type === TYPES.CNAME) return readName(msg, offset)[0];
  return Array.from(rdata, (b) => b.toString(16).padStart(2, "0")).join("");
}

export { TYPES };

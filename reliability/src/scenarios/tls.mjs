/**
 * The TLS security matrix: every bad certificate is refused by default (`secureTransport:
 * "on"` and `startTls()`), a failed upgrade never carries on in plain text (the ledger
 * proves the peer never saw the marker in clear), SNI is never sent for IP literals, and
 * an ALPN offer the server does not take is `alpn: null`, not an error. The good
 * certificate is the control: the same paths succeed with it.
 *
 * @module
 */
import { check, isSocketError, ledgerId, ledgerQuery, readLine, rejection, settle, utf8, within } from "./_util.mjs";

const BAD = ["expired", "notYetValid", "untrusted", "selfSigned", "wrongName", "ipMismatch"];
const SECRET = "RELIABILITY-SECRET-7f3a9c";

/** `localhost:port` (name checks) or `127.0.0.1:port` (the IP-mismatch certificate). */
function _dial(name, address) {
  return name === "ipMismatch" ? address : address.replace("127.0.0.1", "localhost");
}

async function _onRefused({ connect, config }, name) {
  const socket = connect(_dial(name, config.matrix.tls[name]), { secureTransport: "on" });
  const writer = socket.writable.getWriter();
  const write = writer.write(utf8(SECRET)); // queued before opened: must never go out
  const opened = await rejection(socket.opened, 8_000, "opened");
  isSocketError(opened, "ETLS", "opened");
  const closed = await rejection(socket.closed, 2_000, "closed");
  check(closed === opened, "closed rejects with the very error of opened");
  isSocketError(await rejection(write, 2_000, "queued write"), ["ETLS", "ECLOSED"], "queued write");
  const reader = socket.readable.getReader();
  await rejection(reader.read(), 2_000, "read after failed handshake");
}

async function _starttls({ connect, config }, name, expectOk) {
  const id = ledgerId(config, `starttls-${name}`);
  const plain = connect(_dial(name, config.matrix.starttls[name]), { secureTransport: "starttls" });
  const plainWriter = plain.writable.getWriter();
  await plainWriter.write(utf8(`${id}\nSTARTTLS\n`));
  const reader = plain.readable.getReader();
  const { line } = await readLine(reader);
  check(line === "OK", `front door answered ${JSON.stringify(line)}`);
  reader.releaseLock();
  plainWriter.releaseLock();
  const secure = plain.startTls();
  check(plain.upgraded === true, "old socket upgraded");
  const writer = secure.writable.getWriter();
  const write = writer.write(utf8(`${SECRET}\n`));
  const opened = await settle(secure.opened, 8_000, "opened after startTls()");
  if (expectOk) {
    check(opened.ok, `startTls() to the good certificate failed: ${opened.error?.message}`);
    await within(write, 4_000, "write over TLS");
    const r = secure.readable.getReader();
    check((await readLine(r)).line === SECRET, "echo over TLS");
    r.releaseLock();
    await secure.close();
  } else {
    check(!opened.ok, `startTls() accepted the ${name} certificate`);
    isSocketError(opened.error, "ETLS", "opened after startTls()");
    isSocketError(await rejection(write, 2_000, "write after failed upgrade"), ["ETLS", "ECLOSED"], "write after failed upgrade");
    await rejection(secure.closed, 2_000, "closed after failed upgrade");
    await rejection(writer.write(utf8(SECRET)), 2_000, "later write");
    const old = await settle(plain.writable.getWriter().write(utf8(SECRET)), 2_000, "write on the upgraded plain socket");
    check(!old.ok, "the old plain writable still accepted bytes after startTls()");
  }
  const ledger = await ledgerQuery(connect, config, id);
  check(ledger.bytes > 0, "the front door saw no handshake bytes");
  check(!ledger.secret, "the marker reached the peer in clear text");
  return ledger.bytes;
}

async function _info({ connect }, address, options) {
  const socket = connect(address, { secureTransport: "on", ...options });
  const info = await within(socket.opened, 8_000, "opened");
  const reader = socket.readable.getReader();
  const seen = JSON.parse((await readLine(reader)).line);
  reader.releaseLock();
  await socket.close();
  return { info, seen };
}

export const tlsScenarios = [
  ...BAD.map((name) => ({
    id: `tls/on/${name}-refused`,
    group: "tls",
    title: `secureTransport "on" refuses the ${name} certificate with ETLS`,
    run: (ctx) => _onRefused(ctx, name),
  })),
  ...BAD.map((name) => ({
    id: `tls/starttls/${name}-refused-no-plaintext`,
    group: "tls",
    title: `startTls() refuses the ${name} certificate and never continues in plain text`,
    run: async (ctx) => ctx.note("bytesSeenByPeer", await _starttls(ctx, name, false)),
  })),
  {
    id: "tls/control/good-certificate",
    group: "tls",
    title: "control: the good certificate is accepted by name and by IP, on and startTls()",
    async run(ctx) {
      for (const address of [ctx.config.matrix.tls.good, ctx.config.matrix.tls.good.replace("127.0.0.1", "localhost")]) {
        const socket = ctx.connect(address, { secureTransport: "on" });
        await within(socket.opened, 8_000, `opened ${address}`);
        await socket.close();
      }
      await _starttls(ctx, "good", true);
    },
  },
  {
    id: "tls/control/ledger-detects-clear-text",
    group: "tls",
    title: "control: the ledger does flag the marker when it is sent in clear",
    async run({ connect, config }) {
      const id = ledgerId(config, "clear");
      const socket = connect(config.ledger.recorder);
      const writer = socket.writable.getWriter();
      await writer.write(utf8(`${id}\nxx${SECRET}yy`));
      await writer.close();
      await socket.close();
      check((await ledgerQuery(connect, config, id)).secret === true, "the ledger missed a clear-text marker");
    },
  },
  {
    id: "tls/on/plain-peer-no-fallback",
    group: "tls",
    title: 'secureTransport "on" against a plain-text echo fails with ETLS, never falls back',
    async run({ connect, config }) {
      const socket = connect(config.peers.echo, { secureTransport: "on" });
      isSocketError(await rejection(socket.opened, 8_000, "opened"), "ETLS", "opened");
    },
  },
  {
    id: "tls/sni/none-for-ip-literals",
    group: "tls",
    title: "no SNI for 127.0.0.1 or [::1]; the hostname for localhost (control)",
    async run(ctx) {
      const v4 = await _info(ctx, ctx.config.matrix.info, {});
      check(v4.seen.sni === null, `SNI ${JSON.stringify(v4.seen.sni)} sent for 127.0.0.1`);
      const named = await _info(ctx, ctx.config.matrix.info.replace("127.0.0.1", "localhost"), {});
      check(named.seen.sni === "localhost", `SNI ${JSON.stringify(named.seen.sni)} for localhost`);
      if (ctx.config.matrix.info6 !== null) {
        const v6 = await _info(ctx, ctx.config.matrix.info6, {});
        check(v6.seen.sni === null, `SNI ${JSON.stringify(v6.seen.sni)} sent for [::1]`);
        ctx.note("ipv6", true);
      }
    },
  },
  {
    id: "tls/alpn/mismatch-is-null",
    group: "tls",
    title: "an ALPN offer the server does not take gives alpn null, no error; a match gives the protocol",
    async run(ctx) {
      const none = await _info(ctx, ctx.config.matrix.info, { alpn: ["h2", "x-other"] });
      check(none.info.alpn === null, `alpn ${JSON.stringify(none.info.alpn)}, expected null`);
      const match = await _info(ctx, ctx.config.matrix.infoAlpn, { alpn: ["h2", "x-test"] });
      check(match.info.alpn === "x-test", `alpn ${JSON.stringify(match.info.alpn)}, expected "x-test"`);
    },
  },
];

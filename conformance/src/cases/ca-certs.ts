/**
 * The `caCerts` extension: extra trusted roots, added to (not replacing) the defaults.
 *
 * @module
 */
import { assertSocketError, rejects } from "./assert.js";
import { echoRoundTrip } from "./_flows.js";
import { plainBeforeUpgrade } from "./starttls.js";
import { bytes, dispose, viaLocalhost } from "./helpers.js";
import type { ConformanceCase } from "./types.js";

/** Cases for the caCerts option. */
export const caCertsCases: readonly ConformanceCase[] = [
  {
    id: "ca-certs/private-ca-trusted-with-option",
    title: "a server certified by a private CA is accepted when that CA is passed in caCerts",
    tags: ["ext:caCerts"],
    async run({ connect, peers, privateCa }) {
      const socket = connect(viaLocalhost(peers.tlsPrivate), { secureTransport: "on", caCerts: [privateCa] });
      try {
        await socket.opened;
        await echoRoundTrip(socket, bytes("privately trusted"));
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "ca-certs/private-ca-untrusted-without-option",
    title: "a server certified by a CA the runtime does not trust is refused",
    tags: ["spec"],
    async run({ connect, peers }) {
      const socket = connect(viaLocalhost(peers.tlsPrivate), { secureTransport: "on" });
      assertSocketError(await rejects(socket.opened, "opened"), "opened");
      await dispose(socket);
    },
  },
  {
    id: "ca-certs/adds-to-default-roots",
    title: "with caCerts given, CAs trusted through the environment are still trusted",
    tags: ["ext:caCerts"],
    async run({ connect, peers, privateCa }) {
      const socket = connect(viaLocalhost(peers.tls), { secureTransport: "on", caCerts: [privateCa] });
      try {
        await socket.opened;
        await echoRoundTrip(socket, bytes("both trusted"));
      } finally {
        await dispose(socket);
      }
    },
  },
  {
    id: "ca-certs/applies-to-starttls",
    title: "caCerts is used for the startTls() handshake too",
    tags: ["ext:caCerts"],
    async run({ connect, peers, privateCa }) {
      const plain = await plainBeforeUpgrade(connect, viaLocalhost(peers.starttlsPrivate), { caCerts: [privateCa] });
      const secure = plain.startTls();
      try {
        await secure.opened;
        await echoRoundTrip(secure, bytes("private starttls"));
      } finally {
        await dispose(secure);
      }
    },
  },
];

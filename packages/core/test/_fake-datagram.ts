/**
 * A scripted fake runtime for core's UDPSocket tests: datagrams are pushed (or pulled) by
 * the test, sends are recorded, nothing touches the network.
 */
import type { DatagramEvents, DatagramRequest, DatagramTransport, OpenDatagram } from "../src/index.js";
import { createUdp } from "../src/index.js";

export interface Sent {
  data: Uint8Array;
  address: string | null;
  port: number | null;
}

export interface FakeDatagram {
  udp: ReturnType<typeof createUdp>;
  requests: DatagramRequest[];
  events: () => DatagramEvents;
  transport: DatagramTransport & { closes: number; pulls: number; localAddress: string };
  sent: Sent[];
  resolved: [string, 4 | 6 | undefined][];
  resolveOpen: () => void;
  rejectOpen: (error: unknown) => void;
  /** What `send` does (default: records and returns undefined, like Bun). */
  send: (sent: Sent) => void | Promise<void>;
  /** Pull runtimes: what `pull` does (default: a push runtime's no-op). */
  pull: ((events: DatagramEvents) => Promise<void>) | null;
  /** Thrown synchronously by `open` when set (an option this runtime cannot honour). */
  throwOnOpen: unknown;
}

export function fakeDatagram(init: { localAddress?: string; connected?: boolean } = {}): FakeDatagram {
  let events: DatagramEvents | null = null;
  const fake: FakeDatagram = {
    udp: null as never,
    requests: [],
    events: () => events!,
    sent: [],
    resolved: [],
    resolveOpen: () => {},
    rejectOpen: () => {},
    send: () => undefined,
    pull: null,
    throwOnOpen: undefined,
    transport: {
      localAddress: init.localAddress ?? "127.0.0.1",
      localPort: 40000,
      remoteAddress: init.connected === true ? "127.0.0.1" : null,
      remotePort: init.connected === true ? 53 : null,
      closes: 0,
      pulls: 0,
      pull(): void | Promise<void> {
        fake.transport.pulls++;
        return fake.pull?.(events!);
      },
      send(data, address, port) {
        const sent = { data, address, port };
        fake.sent.push(sent);
        return fake.send(sent);
      },
      close() {
        fake.transport.closes++;
      },
    },
  };
  const open = ((request: DatagramRequest, e: DatagramEvents): Promise<DatagramTransport> => {
    if (fake.throwOnOpen !== undefined) throw fake.throwOnOpen;
    fake.requests.push(request);
    events = e;
    return new Promise<DatagramTransport>((resolve, reject) => {
      fake.resolveOpen = () => resolve(fake.transport);
      fake.rejectOpen = reject;
    });
  }) as OpenDatagram;
  open.resolve = async (hostname, family) => {
    fake.resolved.push([hostname, family]);
    if (hostname.endsWith(".invalid")) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return family === 6 ? "::2" : "10.0.0.2";
  };
  fake.udp = createUdp(open);
  return fake;
}

export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

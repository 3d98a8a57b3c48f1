/**
 * A scripted fake runtime listener for core's Listener and serve() tests: connections are
 * pushed by the test, nothing touches the network.
 */
import {
  createListen,
  type AcceptedConnection,
  type ListenerEvents,
  type ListenerTransport,
  type ListenRequest,
  type OpenListener,
  type ServerTlsRequest,
  type TlsRequest,
  type Transport,
  type TransportEvents,
} from "../src/index.js";

export const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
export const KEY = "-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n";

export class FakeConnection implements AcceptedConnection {
  readonly info = { remoteAddress: "127.0.0.1:50000", localAddress: "127.0.0.1:4000", alpn: null };
  attached: TransportEvents | null = null;
  aborted = false;
  readonly writes: string[] = [];
  startTlsWith: TlsRequest | ServerTlsRequest | null = null;
  closed = false;
  /** The transport was aborted (RST), not closed gracefully. */
  transportAborted = false;
  /** Writes never complete (a client that does not read, its window full). */
  stallWrites = false;
  attach(events: TransportEvents): Transport {
    this.attached = events;
    const writes = this.writes;
    const record = (tls: TlsRequest | ServerTlsRequest): void => void (this.startTlsWith = tls);
    const closeIt = (): void => void (this.closed = true);
    const abortIt = (): void => void ((this.closed = true), (this.transportAborted = true));
    const stalled = (): boolean => this.stallWrites;
    return {
      info: this.info,
      pull() {},
      pause() {},
      write(bytes) {
        writes.push(new TextDecoder().decode(bytes));
        if (stalled()) return new Promise<void>(() => {});
      },
      shutdown() {},
      close: closeIt,
      abort: abortIt,
      startTls(tls) {
        record(tls);
        return new Promise<Transport>(() => {});
      },
    };
  }
  abort(): void {
    this.aborted = true;
  }
}

export interface Harness {
  listen: ReturnType<typeof createListen>;
  requests: ListenRequest[];
  events: () => ListenerEvents;
  transport: ListenerTransport & { closes: number; pulls: number };
  resolveOpen: () => void;
  rejectOpen: (error: unknown) => void;
}

/** A fake runtime: `pull` is a push runtime's no-op unless `pullMode` is given. */
export function harness(pullMode?: (events: ListenerEvents) => Promise<void>): Harness {
  const requests: ListenRequest[] = [];
  let events: ListenerEvents | null = null;
  let resolveOpen!: () => void;
  let rejectOpen!: (error: unknown) => void;
  const transport = {
    localAddress: "127.0.0.1:4000",
    closes: 0,
    pulls: 0,
    pull(): void | Promise<void> {
      transport.pulls++;
      return pullMode?.(events!);
    },
    close(): Promise<void> {
      transport.closes++;
      return Promise.resolve();
    },
  };
  const open: OpenListener = (request, e) => {
    requests.push(request);
    events = e;
    return new Promise((resolve, reject) => {
      resolveOpen = () => resolve(transport);
      rejectOpen = reject;
    });
  };
  return {
    listen: createListen(open),
    requests,
    events: () => events!,
    transport,
    resolveOpen: () => resolveOpen(),
    rejectOpen: (e) => rejectOpen(e),
  };
}

export const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

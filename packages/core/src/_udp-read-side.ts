/**
 * The readable side of core's `UDPSocket`: a value stream of `UDPMessage` with
 * `highWaterMark: 0` (a message is handed over only when a reader asks) over a bounded
 * queue. Push runtimes (Node, Bun) deliver datagrams as they arrive; those nobody is
 * reading yet wait here, at most `highWaterMark`; one more is dropped and counted, as the
 * kernel drops what overflows its receive buffer. Pull runtimes (Deno) receive only while
 * a read waits.
 *
 * @module
 */
import type { DatagramTransport } from "./datagram-transport.js";
import type { UDPMessage } from "./udp-types.js";

/** Internal: the readable of one UDP socket. */
export class UdpReadSide {
  readonly stream: ReadableStream<UDPMessage>;
  received = 0;
  dropped = 0;
  readonly #highWaterMark: number;
  /** Settles once the socket's open did (with or without a transport). */
  readonly #ready: Promise<void>;
  /** A pull runtime's receive failed: the socket fails with it. */
  readonly #onError: (error: unknown) => void;
  #controller!: ReadableStreamDefaultController<UDPMessage>;
  #transport: DatagramTransport | null = null;
  #done = false;
  /** Received, not yet read: `#queue[#head…]`, at most `highWaterMark`. */
  #queue: UDPMessage[] = [];
  #head = 0;
  /** A read waits and the queue was empty: the next datagram goes straight to it. */
  #waiting = false;

  constructor(highWaterMark: number, ready: Promise<void>, onError: (error: unknown) => void) {
    this.#highWaterMark = highWaterMark;
    this.#ready = ready;
    this.#onError = onError;
    this.stream = new ReadableStream<UDPMessage>(
      {
        start: (controller) => void (this.#controller = controller),
        pull: () => this.#pull(),
        // The reader cancelled (a `for await` that breaks): stop keeping datagrams; the socket stays open for writing.
        cancel: () => this.#stop(),
      },
      { highWaterMark: 0 },
    );
  }

  attach(transport: DatagramTransport): void {
    this.#transport = transport;
  }

  /** A datagram from the runtime. */
  message(data: Uint8Array, remoteAddress: string, remotePort: number): void {
    if (this.#done) return;
    const message: UDPMessage = { data, remoteAddress, remotePort };
    if (this.#waiting) {
      this.#waiting = false;
      this.#deliver(message);
    } else if (this.#queue.length - this.#head < this.#highWaterMark) {
      this.#queue.push(message);
    } else {
      this.dropped++;
    }
  }

  /** Without a reason the readable ends (a pending read resolves `done`); with one, reads reject with it. */
  end(reason: unknown): void {
    if (this.#done) return;
    this.#stop();
    try {
      if (reason === undefined) this.#controller.close();
      else this.#controller.error(reason);
    } catch {
      // Already closed or cancelled by the reader.
    }
  }

  #pull(): void | Promise<void> {
    if (this.#head < this.#queue.length) {
      this.#deliver(this.#shift());
      return;
    }
    this.#waiting = true;
    const transport = this.#transport;
    if (transport !== null) return this.#pullFrom(transport);
    return this.#ready.then(() => {
      const late = this.#transport;
      if (late !== null && !this.#done) return this.#pullFrom(late);
    });
  }

  /** Pull runtimes: receive until a datagram went to the waiting read, or reading stopped. */
  #pullFrom(transport: DatagramTransport): void | Promise<void> {
    const first = transport.pull();
    if (first === undefined) return; // a push runtime: `message()` hands it over
    return (async () => {
      try {
        await first;
        while (this.#waiting && !this.#done) await transport.pull();
      } catch (error) {
        if (!this.#done) this.#onError(error);
      }
    })();
  }

  #deliver(message: UDPMessage): void {
    this.received++;
    this.#controller.enqueue(message);
  }

  #shift(): UDPMessage {
    const message = this.#queue[this.#head]!;
    this.#queue[this.#head++] = undefined as unknown as UDPMessage;
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return message;
  }

  #stop(): void {
    this.#done = true;
    this.#waiting = false;
    this.#queue = [];
    this.#head = 0;
  }
}

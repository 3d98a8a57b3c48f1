// The slice of workerd's `cloudflare:sockets` module that src/_workerd-*.ts uses. Local
// only: it is never published (the package's one declaration file, dist/index.d.ts,
// refers to @sockets/core types alone), and it avoids a dependency on workers-types.
declare module "cloudflare:sockets" {
  /** What workerd's `opened` resolves with: no `alpn`, usually no `localAddress`. */
  export interface CloudflareSocketInfo {
    remoteAddress?: string;
    localAddress?: string;
    alpn?: string | null;
  }

  export interface CloudflareSocket {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<ArrayBufferView | ArrayBuffer | string>;
    readonly opened: Promise<CloudflareSocketInfo>;
    readonly closed: Promise<void>;
    readonly upgraded: boolean;
    readonly secureTransport: "off" | "on" | "starttls";
    close(): Promise<void>;
    startTls(options?: { expectedServerHostname?: string }): CloudflareSocket;
  }

  export interface CloudflareSocketOptions {
    secureTransport?: "off" | "on" | "starttls";
    allowHalfOpen?: boolean;
  }

  export function connect(address: string | { hostname: string; port: number }, options?: CloudflareSocketOptions): CloudflareSocket;
}

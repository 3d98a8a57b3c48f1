/**
 * Type test (compiled by `pnpm typecheck`, never run): every runtime package, every
 * branch of `@sockets/connect` and the shared declaration export the same surface as
 * `@sockets/core`'s spec types. Compiled with `types: []` and `skipLibCheck: false`
 * (tsconfig.surface.json), so it also proves that the runtime packages' declarations
 * need no `@types/node`, `@types/bun`, `@types/deno` or workers-types.
 *
 * @module
 */
import type * as Core from "@sockets/core";
import type * as BunPackage from "@sockets/bun";
import type * as DenoPackage from "@sockets/deno";
import type * as NodePackage from "@sockets/node";
import type * as Shared from "../src/index.js";
import type * as BunBranch from "../src/bun.js";
import type * as DefaultBranch from "../src/default.js";
import type * as DenoBranch from "../src/deno.js";
import type * as NodeBranch from "../src/node.js";
import type * as WorkerdBranch from "../src/workerd.js";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assert<_T extends true>(): void {}
/** Every member of `V` is in `M` with exactly `V`'s type (module namespaces are compared member by member). */
type Provides<M, V> = { [K in keyof V]: K extends keyof M ? Equal<M[K], V[K]> : false }[keyof V] extends true ? true : false;
/** `Provides`, and nothing more. */
type Exactly<M, V> = Equal<keyof M, keyof V> extends true ? Provides<M, V> : false;

/** The value surface a runtime package and a branch share. */
interface ValueSurface<Tag extends string> {
  readonly connect: Core.Connect;
  readonly listen: Core.Listen;
  readonly serve: Core.Serve;
  readonly udp: Core.Udp;
  readonly SocketError: typeof Core.SocketError;
  readonly runtime: Tag;
}

/** What `@sockets/connect` adds: `adopt()` for a Socket Worker's inbound socket. */
interface BranchSurface<Tag extends string> extends ValueSurface<Tag> {
  readonly adopt: (socket: unknown) => Core.Socket;
}

/** Spec types re-exported by every runtime package and by `@sockets/connect`, identical to core's. */
type SpecTypesOf<M extends SpecTypeHolder> = [
  M["socket"],
  M["options"],
  M["address"],
  M["anyAddress"],
  M["info"],
  M["kind"],
  M["connectFn"],
  M["code"],
  M["errorOptions"],
];
interface SpecTypeHolder {
  socket: unknown;
  options: unknown;
  address: unknown;
  anyAddress: unknown;
  info: unknown;
  kind: unknown;
  connectFn: unknown;
  code: unknown;
  errorOptions: unknown;
}
interface CoreTypes {
  socket: Core.Socket;
  options: Core.SocketOptions;
  address: Core.SocketAddress;
  anyAddress: Core.AnySocketAddress;
  info: Core.SocketInfo;
  kind: Core.SecureTransportKind;
  connectFn: Core.Connect;
  code: Core.SocketErrorCode;
  errorOptions: Core.SocketErrorOptions;
}
interface NodeTypes {
  socket: NodePackage.Socket;
  options: NodePackage.SocketOptions;
  address: NodePackage.SocketAddress;
  anyAddress: NodePackage.AnySocketAddress;
  info: NodePackage.SocketInfo;
  kind: NodePackage.SecureTransportKind;
  connectFn: NodePackage.Connect;
  code: NodePackage.SocketErrorCode;
  errorOptions: NodePackage.SocketErrorOptions;
}
interface DenoTypes {
  socket: DenoPackage.Socket;
  options: DenoPackage.SocketOptions;
  address: DenoPackage.SocketAddress;
  anyAddress: DenoPackage.AnySocketAddress;
  info: DenoPackage.SocketInfo;
  kind: DenoPackage.SecureTransportKind;
  connectFn: DenoPackage.Connect;
  code: DenoPackage.SocketErrorCode;
  errorOptions: DenoPackage.SocketErrorOptions;
}
interface BunTypes {
  socket: BunPackage.Socket;
  options: BunPackage.SocketOptions;
  address: BunPackage.SocketAddress;
  anyAddress: BunPackage.AnySocketAddress;
  info: BunPackage.SocketInfo;
  kind: BunPackage.SecureTransportKind;
  connectFn: BunPackage.Connect;
  code: BunPackage.SocketErrorCode;
  errorOptions: BunPackage.SocketErrorOptions;
}
interface SharedTypes {
  socket: Shared.Socket;
  options: Shared.SocketOptions;
  address: Shared.SocketAddress;
  anyAddress: Shared.AnySocketAddress;
  info: Shared.SocketInfo;
  kind: Shared.SecureTransportKind;
  connectFn: Shared.Connect;
  code: Shared.SocketErrorCode;
  errorOptions: Shared.SocketErrorOptions;
}

// Runtime packages: exactly core's connect, SocketError and types, and their own tag.
assert<Provides<typeof NodePackage, ValueSurface<"node">>>();
assert<Provides<typeof DenoPackage, ValueSurface<"deno">>>();
assert<Provides<typeof BunPackage, ValueSurface<"bun">>>();
assert<Equal<SpecTypesOf<NodeTypes>, SpecTypesOf<CoreTypes>>>();
assert<Equal<SpecTypesOf<DenoTypes>, SpecTypesOf<CoreTypes>>>();
assert<Equal<SpecTypesOf<BunTypes>, SpecTypesOf<CoreTypes>>>();

// @sockets/connect: the shared declaration is core's surface plus the tag union…
assert<Exactly<typeof Shared, BranchSurface<Shared.Runtime | "unsupported">>>();
assert<Equal<typeof Shared.runtime, Shared.Runtime | "unsupported">>();
assert<Equal<Shared.Runtime, "node" | "deno" | "bun" | "workerd">>();
assert<Equal<SpecTypesOf<SharedTypes>, SpecTypesOf<CoreTypes>>>();

// …and each branch is exactly that surface with its own tag, nothing more.
assert<Exactly<typeof NodeBranch, BranchSurface<"node">>>();
assert<Exactly<typeof DenoBranch, BranchSurface<"deno">>>();
assert<Exactly<typeof BunBranch, BranchSurface<"bun">>>();
assert<Exactly<typeof WorkerdBranch, BranchSurface<"workerd">>>();
assert<Exactly<typeof DefaultBranch, BranchSurface<"unsupported">>>();

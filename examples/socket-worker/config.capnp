# workerd config for the Socket Worker example: one inbound TCP socket served by app.mjs's
# connect(socket, env, ctx). Build the module first (it imports @sockets/connect):
#   npx esbuild app.mjs --bundle --format=esm --conditions=workerd --external:cloudflare:* --outfile=dist/app.mjs
# then: npx workerd serve config.capnp
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .main) ],
  sockets = [ (name = "smtp", address = "127.0.0.1:8025", tcp = (), service = "main") ],
);

const main :Workerd.Worker = (
  modules = [ (name = "app.mjs", esModule = embed "dist/app.mjs") ],
  compatibilityDate = "2026-11-17",
);

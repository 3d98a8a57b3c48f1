// A throwaway npm registry on 127.0.0.1 that serves the packed tarballs, so Deno's own
// npm resolver handles `npm:@sockets/connect` exactly as for a published package
// (packument, semver, integrity check, global cache) while nothing is published.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { basename } from "node:path";
import { run } from "./_children.mjs";

async function _manifest(file) {
  const extracted = await run("tar", ["-xzOf", file, "package/package.json"]);
  if (extracted.code !== 0) throw new Error(`Cannot read package.json from ${file}: ${extracted.stderr}`);
  return JSON.parse(extracted.stdout);
}

/** Serves `tarballs` ({ name: file }); resolves { url, close }. */
export async function startRegistry(tarballs) {
  const packuments = new Map();
  const files = new Map();
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname).replace(/^\/+/, "");
    const file = files.get(path);
    if (file !== undefined) {
      response.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.byteLength });
      response.end(file);
      return;
    }
    const packument = packuments.get(path);
    if (packument === undefined) {
      response.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      return;
    }
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(packument));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  for (const [name, file] of Object.entries(tarballs)) {
    const bytes = await readFile(file);
    const manifest = await _manifest(file);
    const tarballPath = `${name}/-/${basename(file)}`;
    files.set(tarballPath, bytes);
    const dist = {
      tarball: url + tarballPath,
      shasum: createHash("sha1").update(bytes).digest("hex"),
      integrity: "sha512-" + createHash("sha512").update(bytes).digest("base64"),
    };
    packuments.set(name, { name, "dist-tags": { latest: manifest.version }, versions: { [manifest.version]: { ...manifest, dist } } });
  }
  return { url, close: () => new Promise((resolve) => server.close(resolve)) };
}

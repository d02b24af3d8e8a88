// A minimal static file server for dist/, on 127.0.0.1 with a free port, so the tests load
// exactly what `trunk build` produced (no live-reload script, no proxy).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

// `base` is the URL path the files live under (a sub-path host); anything outside it is 404.
export async function serveDist(root, { base = '/' } = {}) {
  const server = createServer(async (req, res) => {
    let requested = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    // Like many static hosts, the sub-path without its trailing slash serves the page itself.
    if (`${requested}/` === base) requested = base;
    if (!requested.startsWith(base)) {
      res.writeHead(404).end('not found');
      return;
    }
    const path = normalize(`/${requested.slice(base.length)}`);
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${base}`, close: () => new Promise((r) => server.close(r)) };
}

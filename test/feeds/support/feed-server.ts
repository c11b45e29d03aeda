import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { onTestFinished } from 'vitest';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** What a route serves; conditional requests are answered with 304 when the validators match. */
export interface Served {
  body: string | Buffer;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  status?: number;
}

export const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/feeds');

/** A fixture feed's bytes, exactly as captured. */
export function fixture(name: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, name));
}

/**
 * A real HTTP server on port 0 (closed when the test finishes) whose routes can be changed between
 * polls. Every request is recorded with its headers.
 */
export async function startFeedServer() {
  const routes = new Map<string, Handler>();
  const requests: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push({ path: url, headers: req.headers });
    const handler = routes.get(url.split('?')[0]!);
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  return {
    base,
    requests,
    url: (p: string) => `${base}${p}`,
    /** Answers `p` with a handler of its own. */
    route(p: string, handler: Handler): string {
      routes.set(p, handler);
      return `${base}${p}`;
    },
    /** Serves a body (with validators, if given) at `p`; returns its URL. */
    serve(p: string, served: Served): string {
      return this.route(p, (req, res) => {
        const headers: Record<string, string> = { 'content-type': served.contentType ?? 'application/rss+xml; charset=utf-8' };
        if (served.etag) headers.etag = served.etag;
        if (served.lastModified) headers['last-modified'] = served.lastModified;
        const fresh =
          (served.etag && req.headers['if-none-match'] === served.etag) ||
          (served.lastModified && req.headers['if-modified-since'] === served.lastModified);
        if (fresh) {
          res.writeHead(304, headers).end();
          return;
        }
        res.writeHead(served.status ?? 200, headers).end(served.body);
      });
    },
    /** Requests made to `p` so far. */
    hits(p: string) {
      return requests.filter((r) => r.path.split('?')[0] === p);
    },
  };
}

export type FeedServer = Awaited<ReturnType<typeof startFeedServer>>;

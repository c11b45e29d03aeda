import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFetcher, sniffImage, type ImageFetcher } from '../../src/channel/image-fetch.js';
import { createFakeClock } from '../fakes/fake-clock.js';

/** The smallest real images of each kind WhatsApp shows (first bytes are what the fetcher checks). */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);

/**
 * A real HTTP server on port 0. Names resolve through the table below only, and every connection
 * passes a hook that fails (instead of connecting) for anything but loopback: nothing leaves the machine.
 */
let server: http.Server;
let base: string;
const connects: string[] = [];
let hanging: http.ServerResponse | null = null;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/photo.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(PNG_1PX);
    if (url === '/photo-as-text') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(PNG_1PX); // the bytes decide
    if (url === '/page.jpg') return void res.writeHead(200, { 'content-type': 'image/jpeg' }).end('<!doctype html><title>not an image</title>');
    if (url === '/big-declared') return void res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(10_000) }).end(Buffer.alloc(10_000));
    if (url === '/big-streamed') {
      res.writeHead(200, { 'content-type': 'image/jpeg' }); // chunked: no length to judge by
      res.write(JPEG_HEAD);
      for (let i = 0; i < 10; i += 1) res.write(Buffer.alloc(1000));
      return void res.end();
    }
    if (url === '/missing') return void res.writeHead(404).end();
    if (url === '/to-photo') return void res.writeHead(302, { location: '/photo.png' }).end();
    if (url === '/to-metadata') return void res.writeHead(302, { location: 'http://metadata.test/latest/meta-data/' }).end();
    if (url === '/to-link-local') return void res.writeHead(301, { location: 'http://169.254.169.254/latest/' }).end();
    if (url.startsWith('/loop')) return void res.writeHead(302, { location: `/loop${url.length}` }).end();
    if (url === '/hang') {
      hanging = res;
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.write(PNG_1PX.subarray(0, 10));
    }
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  hanging?.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function fetcher(options: { maxBytes?: number; maxRedirects?: number } = {}, clock = createFakeClock()): ImageFetcher {
  return createImageFetcher({
    clock,
    ...options,
    guard: {
      resolve: async (host) => {
        if (host === 'metadata.test') return [{ address: '169.254.169.254', family: 4 }];
        if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
        throw Object.assign(new Error(`${host} is not in the test's table`), { code: 'ENOTFOUND' });
      },
      beforeConnect: (address) => {
        connects.push(address);
        if (address !== '127.0.0.1') throw new Error(`the test refuses to connect to ${address}`);
      },
    },
  });
}

describe('image fetch', () => {
  it('fetches an image and tells its type from its bytes, not from the server', async () => {
    const f = fetcher();
    const png = await f.fetchImage(`${base}/photo.png`);
    expect(png).toMatchObject({ ok: true, image: { url: `${base}/photo.png`, mimetype: 'image/png', filename: 'image.png' } });
    expect(png.ok && png.image.data.equals(PNG_1PX)).toBe(true);
    expect(await f.fetchImage(`${base}/photo-as-text`)).toMatchObject({ ok: true, image: { mimetype: 'image/png' } });
    await f.close();
  });

  it('refuses bytes that are not an image, whatever the content type says', async () => {
    const f = fetcher();
    const result = await f.fetchImage(`${base}/page.jpg`);
    expect(result).toMatchObject({ ok: false, problem: 'not-an-image' });
    expect(!result.ok && result.detail).toContain('image/jpeg');
    await f.close();
  });

  it('refuses an image over the size cap, declared or streamed', async () => {
    const f = fetcher({ maxBytes: 5_000 });
    expect(await f.fetchImage(`${base}/big-declared`)).toMatchObject({ ok: false, problem: 'too-large' });
    expect(await f.fetchImage(`${base}/big-streamed`)).toMatchObject({ ok: false, problem: 'too-large' });
    expect(await f.fetchImage(`${base}/photo.png`)).toMatchObject({ ok: true });
    await f.close();
  });

  it('follows a few redirects and no more', async () => {
    const f = fetcher({ maxRedirects: 2 });
    expect(await f.fetchImage(`${base}/to-photo`)).toMatchObject({ ok: true, image: { url: `${base}/to-photo`, mimetype: 'image/png' } });
    expect(await f.fetchImage(`${base}/loop`)).toMatchObject({ ok: false, problem: 'too-many-redirects' });
    await f.close();
  });

  it('never connects to a link-local or metadata address: not as a URL, not after a redirect, not by a name resolving there', async () => {
    const f = fetcher();
    connects.length = 0;
    expect(await f.fetchImage('http://169.254.169.254/latest/')).toMatchObject({ ok: false, problem: 'forbidden-address' });
    expect(await f.fetchImage(`${base}/to-link-local`)).toMatchObject({ ok: false, problem: 'forbidden-address' });
    const byName = await f.fetchImage(`${base}/to-metadata`);
    expect(byName).toMatchObject({ ok: false, problem: 'forbidden-address' });
    expect(!byName.ok && byName.detail).toContain('169.254.169.254');
    expect(connects.every((a) => a === '127.0.0.1')).toBe(true);
    expect(connects.length).toBeGreaterThan(0);
    await f.close();
  });

  it('reports other answers and failures as values', async () => {
    const f = fetcher();
    expect(await f.fetchImage(`${base}/missing`)).toMatchObject({ ok: false, problem: 'http-status', detail: 'HTTP 404' });
    expect(await f.fetchImage('ftp://example.com/a.png')).toMatchObject({ ok: false, problem: 'bad-url' });
    expect(await f.fetchImage('not a url')).toMatchObject({ ok: false, problem: 'bad-url' });
    expect(await f.fetchImage('http://unknown.test/a.png')).toMatchObject({ ok: false, problem: 'network' });
    await f.close();
  });

  it('gives up when the whole fetch outlasts its time (on the injected clock)', async () => {
    const clock = createFakeClock();
    const f = fetcher({}, clock);
    const pending = f.fetchImage(`${base}/hang`);
    while (!hanging) await new Promise((resolve) => setTimeout(resolve, 5));
    clock.advance(15_000);
    expect(await pending).toMatchObject({ ok: false, problem: 'timeout' });
    await f.close();
  });

  it('knows JPEG, PNG, WebP and GIF by their first bytes', () => {
    expect(sniffImage(JPEG_HEAD)).toBe('image/jpeg');
    expect(sniffImage(PNG_1PX)).toBe('image/png');
    expect(sniffImage(Buffer.from('GIF89a\x01\x00', 'latin1'))).toBe('image/gif');
    expect(sniffImage(Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'))).toBe('image/webp');
    expect(sniffImage(Buffer.from('RIFF\x00\x00\x00\x00WAVEfmt ', 'latin1'))).toBeNull();
    expect(sniffImage(PNG_1PX.subarray(0, 7))).toBeNull();
    expect(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
  });
});

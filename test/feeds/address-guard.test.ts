import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../../src/feeds/fetch/address-guard.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';
import { feedSetup, item, rss } from './support/feed-setup.js';

/**
 * Names resolve through this table only, and every connection passes `beforeConnect`, which refuses
 * anything beyond loopback: whatever the guard under test decides, nothing leaves this machine.
 */
function sandbox(names: Record<string, string>) {
  const connects: string[] = [];
  return {
    connects,
    guard: {
      resolve: async (hostname: string) => {
        const address = names[hostname];
        if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
        return [{ address, family: net.isIP(address) }];
      },
      beforeConnect: (address: string) => {
        connects.push(address);
        if (address !== '127.0.0.1' && address !== '::1') throw new Error(`test sandbox: no connection to ${address}`);
      },
    },
  };
}

describe('feed URLs never reach link-local or cloud metadata addresses', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://169.254.0.1:8080/feed.rss',
    'http://[fe80::1]/feed.rss',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::ffff:169.254.169.254]/',
    'http://0xa9fea9fe/',
    'http://2852039166/',
  ])('refuses %s before any connection, and stores nothing', async (url) => {
    const box = sandbox({});
    const setup = await feedSetup({ guard: box.guard });
    const result = await setup.service.add(url);
    expect(result).toMatchObject({ status: 'refused', kind: 'bad-url', reason: expect.stringContaining('a link-local or cloud metadata address; Newsdesk never fetches feeds from there') });
    expect(box.connects).toEqual([]);
    expect(setup.service.list()).toEqual([]);
  });

  it('refuses a host name that resolves there (checked at connect time, so DNS rebinding cannot slip past)', async () => {
    const box = sandbox({ 'metadata.google.internal': '169.254.169.254', 'imds.test': 'fd00:ec2::254' });
    const setup = await feedSetup({ guard: box.guard });
    for (const url of ['http://metadata.google.internal/computeMetadata/v1/', 'http://imds.test/latest/meta-data/']) {
      expect(await setup.service.add(url)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/at (169\.254\.169\.254|fd00:ec2::254), a link-local or cloud metadata address/) });
    }
    expect(box.connects).toEqual([]);
  });

  it('refuses a redirect there, to a literal address or to a name, on the first read and on later polls', async () => {
    const box = sandbox({ 'metadata.test': '169.254.169.254' });
    const setup = await feedSetup({ guard: box.guard });
    setup.server.route('/to-literal.rss', (_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    setup.server.route('/to-name.rss', (_req, res) => res.writeHead(301, { location: 'http://metadata.test/latest/meta-data/' }).end());
    for (const path of ['/to-literal.rss', '/to-name.rss']) {
      expect(await setup.service.add(setup.server.url(path))).toMatchObject({ status: 'refused', kind: 'bad-url', reason: expect.stringContaining('link-local or cloud metadata') });
    }
    // A feed that was fine when added and later redirects there.
    let redirect = false;
    const url = setup.server.route('/turns.rss', (_req, res) => {
      if (redirect) res.writeHead(302, { location: 'http://metadata.test/' }).end();
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss([item(1)]));
    });
    const added = await setup.service.add(url);
    if (added.status !== 'added') throw new Error('not added');
    redirect = true;
    expect(await setup.service.pollNow(added.feed.id)).toMatchObject({ status: 'failed', kind: 'bad-url', error: expect.stringContaining('link-local or cloud metadata') });
    expect(box.connects.every((a) => a === '127.0.0.1')).toBe(true);
  });

  it('allows loopback and private ranges (an internal CMS), by address and by name', async () => {
    const box = sandbox({ 'cms.newsroom.internal': '127.0.0.1' });
    const setup = await feedSetup({ guard: box.guard });
    const path = new URL(setup.server.serve('/cms.rss', { body: rss([item(1)]) })).pathname;
    const port = new URL(setup.server.base).port;
    expect(await setup.service.add(`http://cms.newsroom.internal:${port}${path}`)).toMatchObject({ status: 'added', poll: { status: 'polled' } });
    expect(box.connects).toEqual(['127.0.0.1']);
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '172.16.0.5', '192.168.1.10', 'fd12:3456::1', '100.64.0.1']) expect(isForbiddenAddress(address)).toBe(false);
    for (const address of ['169.254.169.254', '169.254.255.1', 'fe80::1', 'febf::ffff', 'fd00:ec2::254', '::ffff:169.254.169.254']) expect(isForbiddenAddress(address)).toBe(true);
  });
});

describe('a failed connection does not tell whether an internal port is open', () => {
  it('gives the same words for a closed port, a port that speaks another protocol, and one that hangs up', async () => {
    const t = commandSetup();
    const servers: net.Server[] = [];
    const listen = async (onConnection: (socket: net.Socket) => void) => {
      const server = net.createServer(onConnection);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as net.AddressInfo).port;
    };
    try {
      const ssh = await listen((socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
      const redis = await listen((socket) => socket.once('data', () => socket.end('-ERR unknown command\r\n')));
      const reset = await listen((socket) => socket.resetAndDestroy());
      const closedPort = await listen(() => undefined);
      await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
      const answers: string[] = [];
      for (const port of [closedPort, ssh, redis, reset]) {
        const result = await t.core.run(`feed add http://127.0.0.1:${port}/`, ADMIN);
        expect(result.status).toBe('invalid');
        answers.push(result.text.replaceAll(String(port), 'PORT'));
      }
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]).toMatch(/^Not added: cannot reach http:\/\/127\.0\.0\.1:PORT\/: no HTTP answer/);
      expect(t.db.prepare('SELECT * FROM feeds').all()).toEqual([]);
    } finally {
      for (const server of servers) server.close();
    }
  });
});

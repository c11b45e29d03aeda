import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChannelStatus } from '../../src/channel/channel.js';
import { createOutboxChannel, readTail, type OutboxLine } from '../../src/channel/outbox.js';
import { createFakeClock } from '../fakes/fake-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The dry-run channel in-process (the e2e tests drive it through the built bot). */
function setup(file = path.join(tempDir(), 'nested', 'outbox.jsonl')) {
  const clock = createFakeClock();
  const echoed: string[] = [];
  const channel = createOutboxChannel({ file, clock, echo: (text) => echoed.push(text) });
  const states: ChannelStatus[] = [];
  channel.onStatus((s) => states.push(s));
  return { clock, file, channel, echoed, states };
}

const line = (over: Partial<OutboxLine> = {}): string =>
  JSON.stringify({ articleId: 1, text: 'hello', postedAt: '2026-11-26T12:00:00.000Z', messageId: 'outbox-1-aaaa', ...over });

describe('outbox channel (dry run)', () => {
  it('is starting until start(), then ready with the file named; stopped after stop()', async () => {
    const t = setup();
    expect(t.channel.name).toBe('outbox');
    expect(t.channel.status().state).toBe('starting');
    await t.channel.start();
    expect(fs.existsSync(path.dirname(t.file))).toBe(true);
    expect(t.channel.status()).toMatchObject({ state: 'ready', detail: `dry run: posts go to ${t.file}` });
    expect(t.channel.info()).toEqual({ id: 'outbox', name: 'Dry run (outbox.jsonl)', inviteLink: null });
    await t.channel.stop();
    expect(t.channel.status().state).toBe('stopped');
    expect(t.states.map((s) => s.state)).toEqual(['ready', 'stopped']);
  });

  it('appends one JSON line per post, echoes it, and finds it again by article and exact text', async () => {
    const t = setup();
    await t.channel.start();
    const id1 = await t.channel.send({ articleId: 7, text: '*Floods*\n\nhttps://news.example.com/f' });
    t.clock.advance(61_000);
    const id2 = await t.channel.send({ articleId: 8, text: 'second' });
    expect(id1).toMatch(/^outbox-7-[0-9a-f]{8}$/);
    expect(id2).not.toBe(id1);
    const raw = fs.readFileSync(t.file, 'utf8');
    expect(raw.endsWith('\n')).toBe(true);
    expect(raw.split('\n')).toHaveLength(3);
    expect(readTail(t.file)).toEqual([
      { channel: 'main', articleId: 7, text: '*Floods*\n\nhttps://news.example.com/f', postedAt: '2026-11-26T12:00:00.000Z', messageId: id1 },
      { channel: 'main', articleId: 8, text: 'second', postedAt: '2026-11-26T12:01:01.000Z', messageId: id2 },
    ]);
    expect(t.echoed).toEqual([
      `── outbox · article 7 · 2026-11-26T12:00:00.000Z ──\n*Floods*\n\nhttps://news.example.com/f\n`,
      `── outbox · article 8 · 2026-11-26T12:01:01.000Z ──\nsecond\n`,
    ]);
    expect(await t.channel.findPost({ articleId: 7, text: '*Floods*\n\nhttps://news.example.com/f' })).toEqual({
      messageId: id1,
      postedAt: Date.parse('2026-11-26T12:00:00.000Z'),
    });
    expect(await t.channel.findPost({ articleId: 7, text: 'other text' })).toBeNull();
    expect(await t.channel.findPost({ articleId: 9, text: 'second' })).toBeNull();
  });

  it('finds the newest copy when an article was posted twice', async () => {
    const t = setup();
    await t.channel.start();
    await t.channel.send({ articleId: 3, text: 'same' });
    t.clock.advance(5_000);
    const newest = await t.channel.send({ articleId: 3, text: 'same' });
    expect(await t.channel.findPost({ articleId: 3, text: 'same' })).toEqual({ messageId: newest, postedAt: Date.parse('2026-11-26T12:00:05.000Z') });
  });

  it('ends a line torn by a kill at start, so the next post is a line of its own and still found', async () => {
    const file = path.join(tempDir(), 'outbox.jsonl');
    fs.writeFileSync(file, `${line()}\n{"articleId":2,"text":"cut`);
    const t = setup(file);
    await t.channel.start();
    expect(fs.readFileSync(file, 'utf8')).toBe(`${line()}\n{"articleId":2,"text":"cut\n`);
    const id = await t.channel.send({ articleId: 2, text: 'whole' });
    expect(readTail(file).map((l) => l.messageId)).toEqual(['outbox-1-aaaa', id]);
    expect(await t.channel.findPost({ articleId: 2, text: 'whole' })).toMatchObject({ messageId: id });
  });

  it('leaves a whole file and an empty file as they are at start', async () => {
    const dir = tempDir();
    const whole = path.join(dir, 'whole.jsonl');
    fs.writeFileSync(whole, `${line()}\n`);
    await setup(whole).channel.start();
    expect(fs.readFileSync(whole, 'utf8')).toBe(`${line()}\n`);
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '');
    await setup(empty).channel.start();
    expect(fs.readFileSync(empty, 'utf8')).toBe('');
  });

  it('works without an echo', async () => {
    const file = path.join(tempDir(), 'outbox.jsonl');
    const channel = createOutboxChannel({ file, clock: createFakeClock() });
    await channel.start();
    const id = await channel.send({ articleId: 1, text: 'quiet' });
    expect(await channel.findPost({ articleId: 1, text: 'quiet' })).toMatchObject({ messageId: id });
  });

  it('an outbox path that cannot be opened is an error, not an empty outbox', async () => {
    const dir = tempDir();
    // A folder where the file should be: start() cannot repair it and says so.
    await expect(setup(dir).channel.start()).rejects.toMatchObject({ code: 'EISDIR' });
    // A path under a regular file: reading it back fails instead of finding nothing.
    const plain = path.join(dir, 'plain.txt');
    fs.writeFileSync(plain, 'x');
    expect(() => readTail(path.join(plain, 'outbox.jsonl'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('closes every file it opens (no descriptor left behind by start, send or read-back)', async () => {
    const t = setup();
    const open = () => fs.readdirSync('/proc/self/fd').length;
    const before = open();
    await t.channel.start();
    for (let i = 0; i < 20; i += 1) {
      await t.channel.send({ articleId: i, text: `post ${i}` });
      await t.channel.findPost({ articleId: i, text: `post ${i}` });
    }
    await t.channel.start(); // repairs an existing file: opens it too
    expect(open()).toBe(before);
  });

  it('readTail: no file is no lines; torn, blank and foreign lines are skipped', () => {
    const dir = tempDir();
    expect(readTail(path.join(dir, 'missing.jsonl'))).toEqual([]);
    const file = path.join(dir, 'outbox.jsonl');
    fs.writeFileSync(
      file,
      [line({ articleId: 1 }), '', '{"articleId":2,"te', JSON.stringify({ articleId: '3', text: 'x', messageId: 'm' }), JSON.stringify({ articleId: 4, text: 5, messageId: 'm' }), JSON.stringify({ articleId: 5, text: 'x' }), line({ articleId: 6 }), ''].join('\n'),
    );
    expect(readTail(file).map((l) => l.articleId)).toEqual([1, 6]);
  });

  it('readTail reads only the end of a long file and drops the line the cut went through', () => {
    const file = path.join(tempDir(), 'outbox.jsonl');
    const lines = Array.from({ length: 10 }, (_, i) => line({ articleId: i + 1 }));
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const lastThree = Buffer.byteLength(`${lines.slice(-3).join('\n')}\n`);
    // The last three lines and half of the one before them.
    const tail = readTail(file, lastThree + 20);
    expect(tail.map((l) => l.articleId)).toEqual([8, 9, 10]);
    // Exactly three whole lines, starting on a line boundary: the first one is dropped as possibly cut.
    expect(readTail(file, lastThree).map((l) => l.articleId)).toEqual([9, 10]);
    expect(readTail(file, fs.statSync(file).size).map((l) => l.articleId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('a read-back does not see a post beyond the tail it reads (the cap on what it reads)', async () => {
    const t = setup();
    await t.channel.start();
    await t.channel.send({ articleId: 1, text: 'old' });
    // Well over 256 KiB of later posts.
    for (let i = 0; i < 70; i += 1) await t.channel.send({ articleId: 100 + i, text: 'x'.repeat(4_000) });
    expect(await t.channel.findPost({ articleId: 1, text: 'old' })).toBeNull();
    expect(await t.channel.findPost({ articleId: 169, text: 'x'.repeat(4_000) })).not.toBeNull();
  });
});

describe('outbox with several channels', () => {
  it('writes each post\'s channel and reads back on that channel only', async () => {
    const file = path.join(tempDir(), 'outbox.jsonl');
    const echoed: string[] = [];
    const outbox = createOutboxChannel({ file, clock: createFakeClock(), channelName: 'main', echo: (text) => echoed.push(text) });
    await outbox.start();
    const onSport = await outbox.send({ articleId: 1, channel: 'sport', text: 'same text' });
    expect(await outbox.findPost({ articleId: 1, channel: 'main', text: 'same text' })).toBeNull();
    expect(await outbox.findPost({ articleId: 1, channel: 'sport', text: 'same text' })).toMatchObject({ messageId: onSport });
    const onMain = await outbox.send({ articleId: 1, text: 'same text' });
    expect(await outbox.findPost({ articleId: 1, channel: 'main', text: 'same text' })).toMatchObject({ messageId: onMain });
    expect(await outbox.editPost!({ articleId: 1, channel: 'main', messageId: onSport, text: 'fixed' })).toMatchObject({ kind: 'not-editable' });
    expect(await outbox.editPost!({ articleId: 1, channel: 'sport', messageId: onSport, text: 'fixed' })).toMatchObject({ kind: 'edited' });
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { channel: string; editOf?: string });
    expect(lines.map((l) => [l.channel, l.editOf ?? null])).toEqual([['sport', null], ['main', null], ['sport', onSport]]);
    expect(echoed[0]).toMatch(/^── outbox · article 1 · channel sport · /);
    expect(echoed[1]).toMatch(/^── outbox · article 1 · 20/);
    expect(echoed[2]).toMatch(new RegExp(`^── outbox · article 1 · edit of ${onSport} · 20.* ──\nfixed\n$`));
  });

  it('lets the dry run edit a post for 30 days, as WhatsApp does', async () => {
    const clock = createFakeClock();
    const outbox = createOutboxChannel({ file: path.join(tempDir(), 'outbox.jsonl'), clock });
    await outbox.start();
    const id = await outbox.send({ articleId: 1, text: 'old' });
    clock.advance(30 * 86_400_000);
    expect(await outbox.editPost!({ articleId: 1, messageId: id, text: 'on the last day' })).toMatchObject({ kind: 'edited' });
    clock.advance(1);
    expect(await outbox.editPost!({ articleId: 1, messageId: id, text: 'a day late' })).toMatchObject({ kind: 'not-editable' });
  });
});

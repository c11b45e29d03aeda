import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { commandSetup } from '../helpers/command-setup.js';

/**
 * `help <command>` for the channel, correct and read-only commands: the usage line, the summary and the
 * example an admin reads before typing a command (their texts are otherwise checked by no test).
 */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };

describe('help for the channel, correct and read-only commands', () => {
  it.each([
    [
      'channel',
      'channel [list] · channel add <id|invite link> name=<short name> [categories=a,b] [feeds=1,2] [gap=2m] [cap=10/h] [quiet=23:00-07:00] [digest=08:00,18:00 top=5 mode=besides|instead] · channel set <name> key=value… · channel pause|resume <name> · channel remove <name> [force]\n' +
        'the channels: list, add, set (filters, pacing, digest), pause, resume, remove; "channel" alone shows the connected one\n' +
        'example: channel add https://whatsapp.com/channel/0029VaSportXXXXXXXXXXXX name=sport categories=Sport gap=5m digest=08:00,18:00 top=5',
    ],
    [
      'correct',
      'correct <id> <headline> | <summary> | <link>\n' +
        'correct a posted article: edits the post, or posts a follow-up "✏️ Correction" when WhatsApp will not edit it\n' +
        'example: correct 12 Quake hits Sabah | Magnitude 5.9, revised down | https://news.example.com/quake',
    ],
    [
      'list',
      'list [queued|scheduled|posted|failed|cancelled|all] [n] [--offset <n> | --cursor <c>]\n' +
        'the newest n articles (default 10 queued, at most 100 a page) with id, status, time and headline; --cursor continues with the next page\n' +
        'example: list posted 5',
    ],
    ['show', 'show <id>\none article, its formatted text, every delivery attempt and, once corrected, every version\nexample: show 12'],
    ['status', 'status\nconnection, paused or not, counts by status, last post, next post and when\nexample: status'],
    ['log', 'log [n]\nthe newest n delivery attempts with outcome, message id, error and duration\nexample: log 20'],
    ['audit', 'audit [n]\nthe newest n commands from every door: who, when, what, outcome\nexample: audit 20'],
  ])('help %s', async (command, text) => {
    const t = commandSetup();
    expect(await t.core.run(`help ${command}`, CLI)).toMatchObject({ status: 'ok', text });
  });
});

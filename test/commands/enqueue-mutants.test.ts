import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/commands/types.js';
import { commandSetup } from '../helpers/command-setup.js';

/** Queueing in the case the older tests left out (found by mutation testing). */
const CLI: Actor = { door: 'cli', id: 'cli:ops' };
const URL1 = 'https://news.example.com/floods';

describe('an existing article answers with its stored text', () => {
  it('an unexpected error while rendering the stored text is not hidden behind the request text', async () => {
    const t = commandSetup();
    await t.core.run(`breaking Quake | ${URL1}`, CLI);
    // The normal request never reads the breaking label; the stored breaking article does, and that read fails.
    t.ctx.format = {
      summaryMaxChars: 200,
      get breakingLabel(): string {
        throw new Error('format settings unreadable');
      },
    };
    expect(await t.core.run(`queue Quake again | ${URL1}`, CLI)).toMatchObject({ status: 'error', data: { error: 'format settings unreadable' } });
  });
});

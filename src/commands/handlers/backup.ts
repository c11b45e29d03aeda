import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import * as z from 'zod';
import { BackupTargetError } from '../../store/backup.js';
import { invalid, ok, type CommandSpec } from '../types.js';

// Equivalent surviving mutant, not disabled (that would also hide the killed max→min mutant of this chain): no .trim(), as the command core hands over the words after the name already trimmed.
const backupArgs = z
  .string()
  .trim()
  .max(500, 'the path must be at most 500 characters')
  .refine((s) => !/[\0\n\r]/.test(s), 'the path contains control characters');

export const backupCommand: CommandSpec<string> = {
  name: 'backup',
  usage: 'backup [file]',
  example: 'backup before-election.db',
  summary: 'write a consistent copy of the database (default name with date and time) into <data>/backups',
  args: backupArgs,
  run(name, ctx, actor) {
    // From WhatsApp only a plain file name inside <data>/backups; the shell may name any path.
    if (actor.door !== 'cli' && name && (name.includes('/') || name.includes('\\') || name.startsWith('.'))) {
      return invalid('From WhatsApp give a plain file name (it goes into the data folder\'s backups/); paths work from the CLI.');
    }
    const stamp = DateTime.fromMillis(ctx.clock.now(), { zone: ctx.timezone }).toFormat("yyyyLLdd'-'HHmmss");
    const file = path.resolve(path.join(ctx.dataDir, 'backups'), name || `newsdesk-${stamp}.db`);
    try {
      ctx.backup(file);
    } catch (err) {
      // A path that cannot be used is bad input (exit 2), like any other; a failing disk stays an error.
      if (err instanceof BackupTargetError) return invalid(`${err.message}.`, { file });
      throw err;
    }
    const bytes = fs.statSync(file).size;
    return ok(`Backup written: ${file} (${(bytes / 1024).toFixed(0)} KiB). Restore: stop Newsdesk, copy it over ${path.join(ctx.dataDir, 'newsdesk.db')} (and delete newsdesk.db-wal / -shm), start again.`, { file, bytes });
  },
};

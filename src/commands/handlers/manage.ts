import { articleId, noArgs } from '../args.js';
import { articleData } from '../describe.js';
import { invalid, ok, type CommandSpec } from '../types.js';

export const cancelCommand: CommandSpec<number> = {
  name: 'cancel',
  usage: 'cancel <id>',
  example: 'cancel 12',
  summary: 'cancel a queued or scheduled article',
  args: articleId,
  run(id, ctx) {
    const { article, changed } = ctx.queue.cancel(id, ctx.clock.now());
    if (!article) return invalid(`There is no article #${id}. Use "list all" to see ids.`, { id }, 'not-found');
    if (changed) return ok(`Cancelled #${id}. It will not be posted.`, { article: articleData(article) });
    const why: Record<string, string> = {
      posting: 'it is being posted right now',
      posted: 'it is already posted (delete it in WhatsApp if it must go)',
      failed: 'it already failed and will not be posted unless you retry it',
      cancelled: 'it is already cancelled',
    };
    return invalid(`#${id} cannot be cancelled: ${why[article.status] ?? article.status}.`, { article: articleData(article) }, 'conflict');
  },
};

export const retryCommand: CommandSpec<number> = {
  name: 'retry',
  usage: 'retry <id>',
  example: 'retry 12',
  summary: 'put a failed article back in the queue',
  args: articleId,
  run(id, ctx) {
    const { article, changed } = ctx.queue.retry(id, ctx.clock.now());
    if (!article) return invalid(`There is no article #${id}. Use "list failed" to see failed ones.`, { id }, 'not-found');
    if (!changed) return invalid(`#${id} is ${article.status}, not failed: only failed articles can be retried.`, { article: articleData(article) }, 'conflict');
    ctx.wake();
    return ok(`#${id} is back in the queue with fresh attempts.`, { article: articleData(article) });
  },
};

export const pauseCommand: CommandSpec<string> = {
  name: 'pause',
  usage: 'pause',
  example: 'pause',
  summary: 'stop posting; the queue keeps filling',
  args: noArgs,
  run(_input, ctx) {
    const was = ctx.settings.isPaused();
    ctx.settings.setPaused(true, ctx.clock.now());
    return ok(was ? 'Posting was already paused.' : 'Paused: nothing will be posted until "resume". Articles still queue.', { paused: true });
  },
};

export const resumeCommand: CommandSpec<string> = {
  name: 'resume',
  usage: 'resume',
  example: 'resume',
  summary: 'start posting again',
  args: noArgs,
  run(_input, ctx) {
    const was = ctx.settings.isPaused();
    ctx.settings.setPaused(false, ctx.clock.now());
    ctx.wake();
    return ok(was ? 'Resumed: posting goes on.' : 'Posting was not paused.', { paused: false });
  },
};

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CommandResult } from '../../commands/types.js';
import { deskActor, type DeskContext } from './desk.js';

type Body = Record<string, unknown>;
const field = (body: Body, name: string): string => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');

const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const ACTIONS: Record<string, (name: string) => string> = {
  pause: (name) => `channel pause ${name}`,
  resume: (name) => `channel resume ${name}`,
  remove: (name) => `channel remove ${name}`,
  'remove-force': (name) => `channel remove ${name} force`,
};
/** The add form's fields, as the API's channel body names them. */
const FORM_FIELDS = ['target', 'name', 'categories', 'feeds', 'gap', 'cap', 'quiet', 'digest', 'top', 'mode'] as const;

/**
 * The desk's Channels page (issue 15): every channel with its filters, pacing and digest; add one;
 * pause, resume or remove one. Each action is the `channel` command of the one core (door `web`),
 * validated and audited as from WhatsApp or the CLI; post/redirect/get with the reply as the flash.
 */
export function registerChannelPages(app: FastifyInstance, ctx: DeskContext): void {
  const list = async (request: FastifyRequest): Promise<CommandResult> => ctx.core.query('desk-channels', {}, deskActor(request));

  app.get('/channels', async (request, reply) => {
    const result = await list(request);
    if (result.status !== 'ok') return ctx.render(request, reply, 'error', { title: 'Error', message: result.text, code: 500 }, 500);
    return ctx.render(request, reply, 'channels', { title: 'Channels', current: 'channels', channels: result.data.channels, values: {}, problems: [] });
  });

  app.post('/channels', async (request, reply) => {
    const body = (request.body ?? {}) as Body;
    const values = Object.fromEntries(FORM_FIELDS.map((f) => [f, field(body, f)]));
    // Empty fields are left out: the channel takes the global settings for them.
    const input = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
    if (!input.digest) {
      delete input.top;
      delete input.mode;
    }
    const result = await ctx.core.runStructured('channel-add', { target: values.target, name: values.name, ...input }, deskActor(request));
    if (result.status === 'ok') {
      ctx.flash(request, { kind: 'ok', text: result.text });
      return reply.redirect('/channels', 303);
    }
    const problems = Array.isArray(result.data.problems)
      ? (result.data.problems as unknown[]).map((p) => (typeof p === 'string' ? p : String((p as { message?: unknown }).message ?? p)))
      : [result.text];
    const channels = await list(request);
    return ctx.render(request, reply, 'channels', { title: 'Channels', current: 'channels', channels: channels.data.channels ?? [], values, problems }, 400);
  });

  app.post('/channels/:name/:action', async (request, reply) => {
    const { name, action } = request.params as { name: string; action: string };
    const command = ACTIONS[action];
    if (!NAME.test(name) || !command) return reply.code(404).send({ error: 'no such channel action' });
    const result = await ctx.core.run(command(name), deskActor(request));
    ctx.flash(request, { kind: result.status === 'ok' ? 'ok' : 'error', text: result.text });
    return reply.redirect('/channels', 303);
  });
}

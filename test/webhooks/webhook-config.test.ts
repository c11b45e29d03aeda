import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = 'b1946ac92492d2347c6235b4d2611184';
const load = (env: Record<string, string>) => loadConfig(env, { needsChannel: false });
function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.variable}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('channel name and webhook settings', () => {
  it('default to channel "main" and no webhooks', () => {
    expect(load({})).toMatchObject({ channelName: 'main', webhooks: [], webhookSecret: undefined });
  });

  it('read NEWSDESK_CHANNEL_NAME, NEWSDESK_WEBHOOKS (deduplicated) and NEWSDESK_WEBHOOK_SECRET', () => {
    const config = load({
      NEWSDESK_CHANNEL_NAME: 'sport',
      NEWSDESK_WEBHOOKS: 'https://cms.example.com/hook, http://10.0.0.5:8080/newsdesk,https://cms.example.com/hook',
      NEWSDESK_WEBHOOK_SECRET: SECRET,
    });
    expect(config).toMatchObject({ channelName: 'sport', webhooks: ['https://cms.example.com/hook', 'http://10.0.0.5:8080/newsdesk'], webhookSecret: SECRET });
  });

  it.each([
    [{ NEWSDESK_CHANNEL_NAME: 'Sport News' }, /NEWSDESK_CHANNEL_NAME: must be a short name/],
    [{ NEWSDESK_WEBHOOKS: 'https://cms.example.com/hook' }, /NEWSDESK_WEBHOOK_SECRET: is required with NEWSDESK_WEBHOOKS/],
    [{ NEWSDESK_WEBHOOKS: 'ftp://cms.example.com/hook', NEWSDESK_WEBHOOK_SECRET: SECRET }, /must start with http:\/\/ or https:\/\//],
    [{ NEWSDESK_WEBHOOKS: 'not a url', NEWSDESK_WEBHOOK_SECRET: SECRET }, /is not a URL/],
    [{ NEWSDESK_WEBHOOKS: 'http://169.254.169.254/latest/meta-data', NEWSDESK_WEBHOOK_SECRET: SECRET }, /link-local or cloud metadata address/],
    [{ NEWSDESK_WEBHOOKS: 'http://[fe80::1]/hook', NEWSDESK_WEBHOOK_SECRET: SECRET }, /link-local or cloud metadata address/],
    [{ NEWSDESK_WEBHOOKS: 'http://[fd00:ec2::254]/', NEWSDESK_WEBHOOK_SECRET: SECRET }, /link-local or cloud metadata address/],
    [{ NEWSDESK_WEBHOOKS: 'https://user:pw@cms.example.com/hook', NEWSDESK_WEBHOOK_SECRET: SECRET }, /must not carry a user name or password/],
    [{ NEWSDESK_WEBHOOKS: 'https://cms.example.com/hook', NEWSDESK_WEBHOOK_SECRET: 'short' }, /NEWSDESK_WEBHOOK_SECRET: must be at least 16 characters/],
  ])('refuses %j', (env, message) => {
    expect(problems(env).join('\n')).toMatch(message);
  });

  it('never prints the webhook secret, even when it is refused', () => {
    const secret = 'has spaces in it but long enough';
    const text = problems({ NEWSDESK_WEBHOOKS: 'https://cms.example.com/hook', NEWSDESK_WEBHOOK_SECRET: secret }).join('\n');
    expect(text).toMatch(/NEWSDESK_WEBHOOK_SECRET: must be printable ASCII without spaces/);
    expect(text).not.toContain(secret);
  });
});

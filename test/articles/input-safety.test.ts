import { describe, expect, it } from 'vitest';
import { checkLink } from '../../src/articles/link.js';
import { displaySafe } from '../../src/articles/text-safety.js';
import { ADMIN, commandSetup } from '../helpers/command-setup.js';
import { article, httpSetup, JSON_AUTH } from '../http/http-setup.js';

const URL1 = 'https://news.example.com/floods';
const ESC = '\u001b';

describe('control characters, terminal escapes and text-direction controls in input', () => {
  it.each([
    ['a terminal escape in a headline', `queue Floods ${ESC}[2J rise | ${URL1}`, /headline contains the control character U\+001B \(ESC/],
    ['a right-to-left override in a headline', `queue Invoice \u202Egnp.exe | ${URL1}`, /headline contains the text-direction control U\+202E/],
    ['an isolate in a summary', `queue Floods | Thousands \u2067moved | ${URL1}`, /summary contains the text-direction control U\+2067/],
    ['a C1 control in a summary', `queue Floods | Rivers \u009b2J rise | ${URL1}`, /summary contains the control character U\+009B/],
    ['a zero-width-only headline', `queue \u200b\u200d\u2060\ufeff | ${URL1}`, /headline has no visible characters/],
    ['a Hangul-filler headline', `queue \u3164 \u3164 | ${URL1}`, /headline has no visible characters/],
  ])('%s is refused with the reason and nothing is written (CLI exit 2, WhatsApp reply)', async (_name, command, reason) => {
    const t = commandSetup();
    const before = t.snapshot();
    const result = await t.core.run(command, ADMIN);
    expect(result.status).toBe('invalid'); // the CLI's exit 2
    expect(result.text).toMatch(reason);
    expect(t.snapshot()).toEqual(before);
  });

  it('the API answers 400 naming the field and the character', async () => {
    const t = await httpSetup();
    const res = await t.post(article(1, { headline: `Floods ${ESC}]0;owned${ESC}\\ rise`, category: 'World\u202D' }));
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([
      { field: 'headline', message: expect.stringMatching(/^headline contains the control character U\+001B/) },
      { field: 'category', message: expect.stringMatching(/^category contains the text-direction control U\+202D/) },
    ]);
    expect(t.snapshot().articles).toEqual([]);
  });

  it('ordinary right-to-left text, emoji with joiners and line breaks in a summary are accepted', async () => {
    const t = commandSetup();
    const result = await t.core.run(`queue مرحبا بالعالم 👩‍👩‍👧 | שלום\nעולם | ${URL1}`, ADMIN);
    expect(result.status).toBe('ok');
  });
});

describe('stored text is neutralised in output (terminal and replies)', () => {
  it('show, list and audit print escapes and direction controls as visible symbols, never raw', async () => {
    const t = commandSetup();
    // Rows written before input was checked, straight into the database.
    expect((await t.core.run(`queue Placeholder | ${URL1}`, ADMIN)).status).toBe('ok');
    t.db.prepare('UPDATE articles SET headline = ?, summary = ? WHERE id = 1').run(`Floods ${ESC}[2J\u202Eevil`, `Rivers${ESC}[31m red`);
    await t.core.run(`queue ${ESC}[2J refused | ${URL1}`, ADMIN); // refused, but in the audit log as typed

    for (const command of ['show 1', 'list all', 'audit 20', 'preview 1']) {
      const { text } = await t.core.run(command, ADMIN);
      expect([command, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u.test(text)]).toEqual([command, false]);
    }
    expect((await t.core.run('show 1', ADMIN)).text).toContain('Floods ␛[2J⟨U+202E⟩evil');
    expect((await t.core.run('audit 20', ADMIN)).text).toContain('queue ␛[2J refused');
    // --json and the API keep the exact stored value (JSON escapes it).
    expect((await t.core.run('show 1', ADMIN)).data.article).toMatchObject({ headline: `Floods ${ESC}[2J\u202Eevil` });
  });

  it('displaySafe keeps line breaks and text, shows the rest', () => {
    expect(displaySafe('a\nb\tc\r\u0007\u007f\u0085\u2066x')).toBe('a\nb c␍␇␡⟨U+0085⟩⟨U+2066⟩x');
    expect(displaySafe('plain مرحبا 👩‍👩‍👧')).toBe('plain مرحبا 👩‍👩‍👧');
  });
});

describe('links are posted normalised; disguised ones are refused', () => {
  it.each([
    ['https://News.Example.com/a b?q=1#top', 'https://news.example.com/a%20b?q=1#top'],
    ['https://bücher.de', 'https://xn--bcher-kva.de/'],
    ['http://example.com:80/x', 'http://example.com/x'],
    ['https://例え.テスト/記事', 'https://xn--r8jz45g.xn--zckzah/%E8%A8%98%E4%BA%8B'],
    ['https://東京abc.jp/', 'https://xn--abc-dm9di64i.jp/'],
    ['https://example.com/path?x=a\\b', 'https://example.com/path?x=a\\b'],
  ])('%s is posted as %s', (typed, posted) => {
    expect(checkLink('url', typed)).toEqual({ ok: true, href: posted });
  });

  it.each([
    ['https:\\\\evil.com', /backslash.*would open https:\/\/evil\.com\//],
    ['https://trusted.com\\@evil.com', /backslash/],
    ['https://news.example.com\\path', /backslash/],
    ['https://user:pass@evil.com/', /user name or password.*opens evil\.com/],
    ['https://trusted.com@evil.com/', /user name or password/],
    ['https://@evil.com/', /user name or password/],
    ['https://p\u0430ypal.com/login', /mixes Latin and Cyrillic letters in "p\u0430ypal"/],
    ['https://xn--pypal-4ve.com/login', /mixes Latin and Cyrillic/],
    ['https://news.xn--80ak6aa92e.com.xn--pypal-4ve.com/', /mixes Latin and Cyrillic/],
    ['https://g\u03bfogle.com', /mixes Latin and Greek/],
    ['https://example.com/\u202Egpj.exe', /text-direction control/],
    ['https://exa\tmple.com/', /control character|tab/],
    ['javascript:alert(1)', /must be a web link/],
  ])('%s is refused', (typed, problem) => {
    const check = checkLink('url', typed);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.problem).toMatch(problem);
  });

  it('every door stores and posts the normalised link, and refuses a disguised one with the reason', async () => {
    const t = commandSetup();
    const queued = await t.core.run('queue Floods | https://NEWS.example.com/a b', ADMIN);
    expect(queued.data.article).toMatchObject({ url: 'https://news.example.com/a%20b' });
    expect(queued.data.text).toMatch(/\n\nhttps:\/\/news\.example\.com\/a%20b$/);
    const refused = await t.core.run('breaking Floods | https:\\\\evil.com/quake', ADMIN);
    expect(refused.status).toBe('invalid');
    expect(refused.text).toMatch(/url contains a backslash/);
    const api = await (await httpSetup()).post(article(3, { url: 'https://admin:hunter2@news.example.com/x' }));
    expect(api.status).toBe(400);
    expect(api.body.problems[0]).toMatchObject({ field: 'url', message: expect.stringMatching(/user name or password/) });
  });
});

it('the JSON auth header constant is the API one (keeps the import honest)', () => {
  expect(JSON_AUTH['content-type']).toBe('application/json');
});

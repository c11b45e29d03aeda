import { describe, expect, it } from 'vitest';
import { parseTemplate, TemplateError } from '../../src/articles/template.js';

// Only template.ts here: template-render.ts parses its default template when it loads, and Stryker (9.6,
// vitest runner) counts a test file that cannot load as passing, so a parser mutant that breaks the default
// template would look like a survivor in a file that imports the renderer.

describe('template checks', () => {
  it.each([
    ['{{headlin}}', /"headlin" is not a field \(did you mean \{\{headline\}\}\?\): the fields are headline, summary, link, category, source, time, invite \(line 1, column 1\)/],
    ['*{{headline}}*\n{{ link }} {{image}}', /"image" is not a field.*\(line 2, column 12\)/],
    ['*{{headline}}* {{link', /"\{\{" is not closed with "\}\}" \(line 1, column 16\)/],
    ['*{{headline}}* {{#summary}}{{summary}}', /the section \{\{#summary\}\} is never closed.*\(line 1, column 16\)/],
    ['*{{headline}}* {{/summary}}', /closes a section that was never opened.*\(line 1, column 16\)/],
    ['{{#summary}}{{#category}}{{/summary}}{{/category}}{{headline}}', /the open one is \{\{#category\}\} from line 1, column 13.*\(line 1, column 26\)/],
    ['*{{headline}}\n{{link}}', /"\*" opened at line 1, column 1 is never closed: add the closing "\*" \(line 1, column 1\)/],
    ['🔴 _{{headline}}*', /"\*" opened at line 1, column 16 is never closed/],
    ['*bold _both* italic_ {{headline}}', /"\*" closes "\*" opened at line 1, column 1 while "_" opened at line 1, column 7 is still open: close "_" first \(line 1, column 12\)/],
    ['{{headline}}{{#summary}}\n_{{summary}}{{/summary}}_', /"_" opened at line 2, column 1 is not closed inside its section \{\{#summary\}\}/],
    ['*{{headline}}{{#summary}}* {{summary}}{{/summary}}', /inside a section closes "\*" opened at line 1, column 1 outside it/],
    ['`{{headline}}', /"`" opened at line 1, column 1 is never closed/],
    ['{{link}}', /no \{\{headline\}\}/],
    ['   ', /the template is empty/],
    ['{{headline}}\u202e', /text-direction control U\+202E: remove it \(line 1, column 13\)/],
    ['{{headline}}\u001b[2J', /control character U\+001B/],
    ['x'.repeat(2_001), /2001 characters; at most 2000/],
  ])('refuses %j with the position', (source, message) => {
    expect(() => parseTemplate(source)).toThrow(TemplateError);
    expect(() => parseTemplate(source)).toThrow(message);
  });

  it.each([
    ['a list bullet', '* {{headline}}\n* {{link}}'],
    ['a marker inside a word or a web address', 'follow_us_now {{headline}} https://example.com/a_b*c~d'],
    ['markup inside monospace', '```*_~ {{headline}}```'],
    ['markup around fields', '*{{headline}}* _{{category}}_ ~{{time}}~ `{{link}}`'],
    ['markup wholly inside a section', '{{headline}}{{#summary}} *{{summary}}*{{/summary}}{{^summary}}_none_{{/summary}}'],
    ['spaces in tags', '{{ headline }} {{# summary }}{{summary}}{{/ summary}}'],
    ['columns counted in characters', '👩🏽‍💻 {{headline}}'],
  ])('accepts %s', (_name, source) => {
    expect(() => parseTemplate(source)).not.toThrow();
  });

  it('columns count characters, not UTF-16 units', () => {
    expect(() => parseTemplate('🇲🇾🇲🇾 {{nope}} {{headline}}')).toThrow(/column 6\)/);
  });

  it('finishes on input built to make a backtracking parser stall', () => {
    for (const source of ['{{'.repeat(1_000), '{{#headline}}'.repeat(150), '*_'.repeat(1_000), `{{headline}}${'{'.repeat(1_980)}`]) {
      expect(() => parseTemplate(source)).toThrow(TemplateError);
    }
  });
});

describe('parseTemplate', () => {
  it('gives the tree of text, fields and sections, with where each text starts', () => {
    expect(parseTemplate('*{{headline}}*{{#summary}}\n\n{{ summary }}{{/summary}}{{^ invite}}x{{/invite}}\n{{link}}').nodes).toEqual([
      { kind: 'text', text: '*', at: 0 },
      { kind: 'field', name: 'headline' },
      { kind: 'text', text: '*', at: 13 },
      { kind: 'section', name: 'summary', inverted: false, children: [{ kind: 'text', text: '\n\n', at: 26 }, { kind: 'field', name: 'summary' }] },
      { kind: 'section', name: 'invite', inverted: true, children: [{ kind: 'text', text: 'x', at: 65 }] },
      { kind: 'text', text: '\n', at: 77 },
      { kind: 'field', name: 'link' },
    ]);
    expect(parseTemplate('{{headline}}').nodes).toEqual([{ kind: 'field', name: 'headline' }]);
    expect(parseTemplate('{{ headline }}{{ #summary }}x{{ /summary }}').nodes).toEqual([
      { kind: 'field', name: 'headline' },
      { kind: 'section', name: 'summary', inverted: false, children: [{ kind: 'text', text: 'x', at: 28 }] },
    ]);
    expect(parseTemplate('{{headline}}{{#summary}}{{/summary}}')).toEqual({
      source: '{{headline}}{{#summary}}{{/summary}}',
      nodes: [{ kind: 'field', name: 'headline' }, { kind: 'section', name: 'summary', inverted: false, children: [] }],
    });
  });

  it('a TemplateError carries the problem and the position apart', () => {
    const error = (() => {
      try {
        parseTemplate('x\n {{nope}} {{headline}}');
      } catch (err) {
        return err;
      }
      return null;
    })() as TemplateError;
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.name).toBe('TemplateError');
    expect(error.position).toEqual({ index: 3, line: 2, column: 2 });
    expect(error.problem).toBe('"nope" is not a field: the fields are headline, summary, link, category, source, time, invite');
    expect(error.message).toBe(`${error.problem} (line 2, column 2)`);
  });

  it('accepts 2,000 characters exactly', () => {
    expect(() => parseTemplate(`{{headline}}${'x'.repeat(1_988)}`)).not.toThrow();
  });

  it('suggests the nearest field, one or two edits away, with the tag\'s sigil; a long name is shown cut', () => {
    const problem = (source: string) => {
      try {
        parseTemplate(source);
      } catch (err) {
        return (err as TemplateError).problem;
      }
      return 'accepted';
    };
    const fields = ': the fields are headline, summary, link, category, source, time, invite';
    expect(problem('{{hedlin}}')).toBe(`"hedlin" is not a field (did you mean {{headline}}?)${fields}`);
    expect(problem('{{HEADLIN}}')).toBe(`"HEADLIN" is not a field (did you mean {{headline}}?)${fields}`);
    expect(problem('{{lime}}')).toBe(`"lime" is not a field (did you mean {{time}}?)${fields}`); // time is 1 away, link 2
    expect(problem('{{lite}}')).toBe(`"lite" is not a field (did you mean {{link}}?)${fields}`); // both 2 away: the first listed
    expect(problem('{{#sumary}}')).toBe(`"sumary" is not a field (did you mean {{#summary}}?)${fields}`);
    expect(problem('{{xyzzy}}')).toBe(`"xyzzy" is not a field${fields}`);
    expect(() => parseTemplate('{{headline {{link}}')).toThrow(new TemplateError('"{{" is not closed with "}}"', { index: 0, line: 1, column: 1 }));
    expect(problem(`{{${'a'.repeat(30)}}}`)).toBe(`"${'a'.repeat(30)}" is not a field${fields}`);
    expect(problem(`{{${'a'.repeat(29)}bc}}`)).toBe(`"${'a'.repeat(29)}b…" is not a field${fields}`);
  });

  it('counts columns in characters: a surrogate pair is one, whatever its code units', () => {
    // U+10000 is D800 DC00, U+103FF is D800 DFFF; U+FF71 is a single unit above the surrogates.
    expect(() => parseTemplate('\u{10000}\u{103FF}\uFF71 {{nope}} {{headline}}')).toThrow(/\(line 1, column 5\)$/);
  });

  it.each([
    ['\u0000', 'control character U+0000', 1],
    ['\t', 'control character U+0009', 1],
    ['\u001f', 'control character U+001F', 1],
    ['\u007f', 'control character U+007F', 1],
    ['\u009f', 'control character U+009F', 1],
    ['\u202a', 'text-direction control U+202A', 1],
    ['\u202e', 'text-direction control U+202E', 1],
    ['\u2066', 'text-direction control U+2066', 1],
    ['\u2069', 'text-direction control U+2069', 1],
  ])('refuses %j, naming it and where it is', (character, named) => {
    expect(() => parseTemplate(`{{headline}}\nab${character}`)).toThrow(`the template contains the ${named}: remove it (line 2, column 3)`);
  });

  it('takes line breaks, spaces and every character around the refused ranges', () => {
    expect(() => parseTemplate('{{headline}}\r\n x\u00a0\u2029\u202f\u2065\u206a')).not.toThrow();
  });
});

describe('markup in a template', () => {
  const problem = (source: string) => {
    try {
      parseTemplate(source);
    } catch (err) {
      return (err as TemplateError).message;
    }
    return 'accepted';
  };

  it('monospace: ``` holds single backticks, and what follows a closed span is not at a line start', () => {
    expect(problem('```a`b``` {{headline}}')).toBe('accepted');
    expect(problem('`a`* b* {{headline}}')).toBe('accepted');
    expect(problem('{{headline}} `x')).toBe('"`" opened at line 1, column 14 is never closed: add the closing "`" (line 1, column 14)');
    expect(problem('`x{{#summary}}y`{{/summary}}{{headline}}')).toBe(
      '"`" inside a section closes "`" opened at line 1, column 1 outside it: open and close markup on the same side of {{#…}} and {{/…}} (line 1, column 16)',
    );
  });

  it('web addresses (http too) hold no markup, up to a space, a line break or a carriage return', () => {
    expect(problem('http://example.com/_x *{{headline}}*')).toBe('accepted');
    expect(problem('https://example.com/~x {{headline}}')).toBe('accepted');
    for (const end of [' ', '\n', '\r']) expect([end, problem(`https://a.com/x${end}_{{headline}}_`)]).toEqual([end, 'accepted']);
    // A star right after a link is no list bullet, even where the link ends its text.
    expect(problem('{{headline}} https://a.com{{#summary}}* {{summary}}{{/summary}}')).toBe(
      '"*" opened at line 1, column 39 is not closed inside its section {{#summary}}: close it before {{/summary}}, since the section may be left out (line 1, column 39)',
    );
  });

  it('a list bullet is "* " at a line start only; other markers there, and a star without a space, are markup', () => {
    expect(problem('{{headline}}\n* a')).toBe('accepted');
    expect(problem('* {{headline}}')).toBe('accepted');
    expect(problem('_ {{headline}}')).toMatch(/^"_" opened at line 1, column 1 is never closed/);
    expect(problem('~ {{headline}}')).toMatch(/^"~" opened at line 1, column 1 is never closed/);
    expect(problem('*x {{headline}}')).toMatch(/^"\*" opened at line 1, column 1 is never closed/);
    expect(problem('a * b {{headline}}')).toMatch(/^"\*" opened at line 1, column 3 is never closed/);
  });

  it('a marker between letters or digits is part of a word; beside a field or a section edge it is markup', () => {
    expect(problem('snake_case {{headline}}')).toBe('accepted');
    expect(problem('1_000 {{headline}}')).toBe('accepted');
    expect(problem('a_ {{headline}}')).toMatch(/^"_" opened at line 1, column 2 is never closed/);
    expect(problem('{{headline}} {{#summary}}_x_{{/summary}}')).toBe('accepted');
    expect(problem('{{headline}}_x_ ~y~')).toBe('accepted');
    expect(problem('{{headline}}{{#summary}}x{{/summary}}_y_')).toBe('accepted');
    expect(problem('a{{headline}}_b')).toMatch(/^"_" opened at line 1, column 14 is never closed/);
    expect(problem('{{headline}}_')).toMatch(/^"_" opened at line 1, column 13 is never closed/);
  });

  it('names an inverted section as such', () => {
    expect(problem('{{headline}}{{^summary}}_x{{/summary}}')).toBe(
      '"_" opened at line 1, column 25 is not closed inside its section {{^summary}}: close it before {{/summary}}, since the section may be left out (line 1, column 25)',
    );
  });
});

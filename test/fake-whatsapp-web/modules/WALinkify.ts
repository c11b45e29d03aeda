/** WALinkify: links in a text (whatsapp-web.js reads `href` and `suspiciousCharacters`). */
interface Link {
  href: string;
  suspiciousCharacters?: Set<string>;
}

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;

export const WALinkify = {
  findLinks: (text: string | undefined): Link[] => [...String(text ?? '').matchAll(URL_PATTERN)].map((m) => ({ href: m[0] })),
  findLink: (text: string | undefined): Link | null => WALinkify.findLinks(text)[0] ?? null,
};

import { FeedParseError } from '../errors.js';
import { looksLikeImage, parseDate, type ParsedFeed, type RawItem } from './feed-document.js';

const str = (value: unknown): string | null => (typeof value === 'string' && value.trim().length > 0 ? value.trim() : null);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a JSON Feed (1.0 or 1.1) already parsed from JSON; throws FeedParseError when it is other JSON. */
export function readJsonFeed(doc: unknown): ParsedFeed {
  if (!isObject(doc) || typeof doc.version !== 'string' || !doc.version.startsWith('https://jsonfeed.org/version/')) {
    throw new FeedParseError('not-a-feed', 'the answer is JSON but not a JSON Feed (no "version": "https://jsonfeed.org/version/1.1")');
  }
  const items = Array.isArray(doc.items) ? doc.items.filter(isObject) : [];
  return { format: 'json', title: str(doc.title), count: items.length, item: (i) => jsonItem(items[i]!), warnings: [] };
}

function jsonItem(item: Record<string, unknown>): RawItem {
  const html = str(item.content_html);
  const text = str(item.content_text);
  const summary = str(item.summary);
  const images: string[] = [];
  for (const key of ['image', 'banner_image']) {
    const url = str(item[key]);
    if (url) images.push(url);
  }
  if (Array.isArray(item.attachments)) {
    for (const attachment of item.attachments) {
      if (!isObject(attachment)) continue;
      const url = str(attachment.url);
      if (url && looksLikeImage(url, str(attachment.mime_type))) images.push(url);
    }
  }
  const id = item.id;
  return {
    title: str(item.title) === null ? null : { text: str(item.title)!, html: false },
    link: str(item.url) ?? str(item.external_url),
    guid: typeof id === 'string' || typeof id === 'number' ? String(id) : null,
    summary: summary ? { text: summary, html: false } : null,
    content: html ? { text: html, html: true } : text ? { text, html: false } : null,
    extraSummaries: [],
    images,
    publishedAt: parseDate(str(item.date_published) ?? str(item.date_modified)),
    base: null,
    complete: true,
  };
}

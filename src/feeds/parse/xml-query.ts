import type { XmlElement, XmlNode } from './xml-tree.js';

/** The first child element called `name`, if any. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  for (const node of el.children) if (typeof node !== 'string' && node.name === name) return node;
  return undefined;
}

/** Every child element called `name`, in document order. */
export function children(el: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  for (const node of el.children) if (typeof node !== 'string' && node.name === name) found.push(node);
  return found;
}

/** All text inside an element (its descendants' too), in document order. Iterative: depth cannot overflow. */
export function textOf(el: XmlElement | undefined): string {
  if (!el) return '';
  const only = el.children.length === 1 ? el.children[0] : undefined;
  if (typeof only === 'string') return only; // the usual case: one text node
  let text = '';
  const stack: XmlNode[] = [...el.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node === 'string') text += node;
    else for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
  return text;
}

/** Trimmed text of the first child called `name`, or null when it is missing or blank. */
export function childText(el: XmlElement, name: string): string | null {
  const value = textOf(child(el, name)).trim();
  return value.length > 0 ? value : null;
}

const VOID = new Set(['img', 'br', 'hr', 'meta', 'link', 'input', 'source', 'wbr', 'area', 'col', 'embed', 'param', 'track']);

/**
 * An element's content back as HTML (for Atom `type="xhtml"` content, which arrives as elements).
 * Only what later stages read survives: tags, `src`/`width`/`height`/`href` attributes, text.
 */
export function htmlOf(el: XmlElement): string {
  let html = '';
  const stack: (XmlNode | { close: string })[] = [...el.children].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (typeof node === 'string') {
      html += node.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      continue;
    }
    if ('close' in node) {
      html += `</${node.close}>`;
      continue;
    }
    const local = node.name.slice(node.name.indexOf(':') + 1);
    let attrs = '';
    for (const key of ['src', 'href', 'width', 'height']) {
      const value = node.attrs[key];
      if (value !== undefined) attrs += ` ${key}="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`;
    }
    html += `<${local}${attrs}>`;
    if (VOID.has(local)) continue;
    stack.push({ close: local });
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
  return html;
}

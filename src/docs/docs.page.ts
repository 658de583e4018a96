import { DOCS_CSS, DOCS_CSS_HASH, escapeHtml, type TocEntry } from './docs.render.js';

/**
 * The docs pages' CSP: no script of any kind (not even our own), the one stylesheet by its hash,
 * images only from this origin, no forms, no framing, no <base>.
 */
export const DOCS_CSP = `default-src 'none'; style-src ${DOCS_CSS_HASH}; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`;

const LOGO =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true"><rect width="32" height="32" rx="7" fill="#4c6ef5"/><path d="M8 8h7v7H8zM17 8h7v7h-7zM8 17h7v7H8z" fill="#fff"/><path d="M17 17h7v7h-7z" fill="#fff" opacity=".55"/></svg>';

export interface DocNavEntry {
  name: string;
  title: string;
}

/** One docs page: the header, the list of documents (and the open one's contents), the body. */
export function docsPage(opts: { title: string; current?: string; docs: DocNavEntry[]; toc?: TocEntry[]; body: string }): string {
  const nav = opts.docs
    .map((d) => {
      const current = d.name === opts.current;
      const item = `<li><a href="/docs/${escapeHtml(d.name)}"${current ? ' aria-current="page"' : ''}>${escapeHtml(d.title)}</a></li>`;
      const toc =
        current && opts.toc?.length
          ? opts.toc.map((t) => `<li${t.depth === 3 ? ' class="sub"' : ''}><a href="#${escapeHtml(t.id)}">${t.html}</a></li>`).join('')
          : '';
      return item + (toc ? `<li><ul aria-label="On this page">${toc}</ul></li>` : '');
    })
    .join('');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(opts.title)} · Tessera docs</title><link rel="icon" href="/favicon.svg"><style>${DOCS_CSS}</style></head><body>` +
    `<header><a class="brand" href="/docs">${LOGO}<span>Tessera docs</span></a>` +
    '<nav aria-label="Elsewhere"><a href="/docs">All documents</a><a href="/api/docs">API reference</a><a href="/">Console</a></nav></header>' +
    `<div class="layout"><aside><nav aria-label="Documents"><h2>Documents</h2><ul>${nav}</ul></nav></aside>` +
    `<main>${opts.body}</main></div></body></html>`
  );
}

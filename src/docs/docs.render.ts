import crypto from 'node:crypto';
import { Marked, type Tokens } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text and attribute values (HTML 5 §13.1.2.3). */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c]);

export interface TocEntry {
  depth: number;
  id: string;
  html: string;
}

export interface RenderedDoc {
  /** The text of the first level-1 heading, or undefined when there is none. */
  title?: string;
  /** The document's body as HTML: raw HTML of the Markdown escaped, links to other documents rewritten. */
  html: string;
  /** Level-2 and level-3 headings, in order, for a table of contents. */
  toc: TocEntry[];
  /** The first paragraph as plain text, cut to a sentence or two (the index lists it). */
  summary?: string;
}

/** A link to another document of the folder (`sign-in-api.md`, `./entra-eam.md#setup`) and its /docs address. */
const DOC_LINK = /^(?:\.\/)?([a-z0-9][a-z0-9-]*)\.md(#[^\s]*)?$/i;
/** Schemes a document may link to; anything else (javascript:, data:, vbscript:) is shown as text. */
const SAFE_URL = /^(?:https?:|mailto:|#|\/(?!\/)|[^:/?#]+(?:[/?#]|$))/i;

/** Where a link of a document points when served at /docs/<name>. */
export function docHref(href: string): string | undefined {
  const doc = DOC_LINK.exec(href);
  if (doc) return `/docs/${doc[1].toLowerCase()}${doc[2] ?? ''}`;
  return SAFE_URL.test(href.trim()) ? href : undefined;
}

const stripTags = (html: string) =>
  html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '');

/** At most ~220 characters, cut after a sentence or a word. */
function shorten(text: string): string {
  if (text.length <= 220) return text;
  const cut = text.slice(0, 220);
  const sentence = cut.lastIndexOf('. ');
  return sentence > 80 ? cut.slice(0, sentence + 1) : `${cut.slice(0, cut.lastIndexOf(' '))}…`;
}

/** GitHub-style heading ids: lower case, punctuation out, spaces to hyphens; repeats get -1, -2… */
function slugger() {
  const seen = new Map<string, number>();
  return (text: string) => {
    const base =
      text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, '')
        .trim()
        .replace(/\s+/g, '-') || 'section';
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n}`;
  };
}

/**
 * Markdown to HTML for the docs pages. The documents are the repository's own, but a page is
 * rendered as if they were not: raw HTML in the Markdown is shown as text (escaped, never
 * interpreted), link and image targets with a scheme other than http(s)/mailto are dropped, and
 * the page's CSP allows no script at all (docs.page.ts).
 */
export function renderMarkdown(markdown: string): RenderedDoc {
  const toc: TocEntry[] = [];
  let title: string | undefined;
  let summary: string | undefined;
  const slug = slugger();
  const marked = new Marked({ gfm: true, async: false });
  marked.use({
    renderer: {
      html({ text }: Tokens.HTML | Tokens.Tag) {
        return escapeHtml(text);
      },
      heading({ tokens, depth }: Tokens.Heading) {
        const inner = this.parser.parseInline(tokens);
        const text = stripTags(inner);
        const id = slug(text);
        if (depth === 1 && title === undefined) title = text;
        if (depth === 2 || depth === 3) toc.push({ depth, id, html: inner.replace(/<a\b[^>]*>|<\/a>/g, '') });
        return `<h${depth} id="${escapeHtml(id)}">${inner}<a class="anchor" href="#${escapeHtml(id)}" aria-label="Link to this section">#</a></h${depth}>\n`;
      },
      paragraph({ tokens }: Tokens.Paragraph) {
        const inner = this.parser.parseInline(tokens);
        if (summary === undefined) summary = shorten(stripTags(inner).replace(/\s+/g, ' ').trim());
        return `<p>${inner}</p>\n`;
      },
      link({ href, title: linkTitle, tokens }: Tokens.Link) {
        const inner = this.parser.parseInline(tokens);
        const target = docHref(href);
        if (target === undefined) return inner;
        const external = /^https?:/i.test(target);
        return `<a href="${escapeHtml(target)}"${linkTitle ? ` title="${escapeHtml(linkTitle)}"` : ''}${external ? ' rel="noopener noreferrer"' : ''}>${inner}</a>`;
      },
      image({ href, title: imageTitle, text }: Tokens.Image) {
        const target = docHref(href);
        if (target === undefined || target.startsWith('/docs/')) return escapeHtml(text);
        return `<img src="${escapeHtml(target)}" alt="${escapeHtml(text)}"${imageTitle ? ` title="${escapeHtml(imageTitle)}"` : ''}>`;
      },
    },
  });
  const html = marked.parse(markdown) as string;
  return { title, html, toc, summary };
}

/** The stylesheet of every docs page, allowed by its hash in the page's CSP (no 'unsafe-inline'). */
export const DOCS_CSS = `
:root{--brand:#4c6ef5;--text:#212529;--dim:#495057;--line:#dee2e6;--soft:#f1f3f5;--code:#f8f9fa;color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--text);background:#fff}
a{color:#364fc7}
header{display:flex;align-items:center;gap:12px;padding:10px 24px;border-bottom:1px solid var(--line);background:#fff}
header .brand{display:flex;align-items:center;gap:10px;font-weight:700;font-size:18px;color:var(--text);text-decoration:none}
header nav{margin-left:auto;display:flex;gap:16px;font-size:14px}
.layout{display:grid;grid-template-columns:240px minmax(0,1fr);gap:32px;max-width:1200px;margin:0 auto;padding:24px}
aside{font-size:14px;position:sticky;top:16px;align-self:start;max-height:calc(100vh - 32px);overflow:auto}
aside h2{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:var(--dim);margin:16px 0 6px}
aside ul{list-style:none;margin:0;padding:0}
aside li{margin:2px 0}
aside li.sub{padding-left:12px}
aside a{color:var(--dim);text-decoration:none;display:block;padding:2px 6px;border-radius:4px}
aside a:hover{background:var(--soft)}
aside a[aria-current="page"]{color:var(--brand);font-weight:600;background:#edf2ff}
main{min-width:0}
main h1{font-size:30px;line-height:1.25;margin:0 0 16px}
main h2{font-size:22px;margin:32px 0 12px;padding-bottom:4px;border-bottom:1px solid var(--line)}
main h3{font-size:18px;margin:24px 0 8px}
.anchor{margin-left:8px;color:var(--line);text-decoration:none;font-weight:400}
h1:hover .anchor,h2:hover .anchor,h3:hover .anchor,h4:hover .anchor{color:var(--dim)}
code{font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--code);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
pre{background:var(--code);border:1px solid var(--line);border-radius:6px;padding:12px 14px;overflow:auto}
pre code{padding:0;background:none;overflow-wrap:normal}
table{border-collapse:collapse;display:block;overflow:auto;max-width:100%;margin:12px 0}
th,td{border:1px solid var(--line);padding:6px 10px;text-align:left;vertical-align:top}
th{background:var(--soft)}
blockquote{margin:12px 0;padding:4px 16px;border-left:4px solid var(--line);color:var(--dim)}
img{max-width:100%}
.cards{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.cards a{display:block;border:1px solid var(--line);border-radius:8px;padding:12px 14px;text-decoration:none;color:var(--text);height:100%}
.cards a:hover{border-color:var(--brand)}
.cards strong{display:block;color:#364fc7}
.cards span{font-size:14px;color:var(--dim)}
@media (max-width:800px){.layout{grid-template-columns:1fr;padding:16px}aside{position:static;max-height:none}header nav{gap:10px}}
`;

/** `style-src` source of DOCS_CSS (CSP 3 §8.3: hash-source). */
export const DOCS_CSS_HASH = `'sha256-${crypto.createHash('sha256').update(DOCS_CSS).digest('base64')}'`;

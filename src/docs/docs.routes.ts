import type { FastifyReply } from 'fastify';
import type { App } from '../http/types.js';
import type { DocsLibrary } from './docs.library.js';
import { DOCS_CSP, docsPage, type DocNavEntry } from './docs.page.js';
import { escapeHtml, type RenderedDoc, renderMarkdown } from './docs.render.js';

/**
 * The repository's documents (docs/*.md: protocol contracts, setup guides) as web pages, so that
 * the console can link to them on the server the administrator already has open: GET /docs lists
 * them, GET /docs/<name> shows one. Public, like the repository they come from. Not part of the
 * API document (pages, not operations).
 */
export async function docsRoutes(app: App, deps: { library: DocsLibrary; render?: (markdown: string) => RenderedDoc }) {
  const { library } = deps;
  const renderer = deps.render ?? renderMarkdown;
  // Every page lists all documents by title, so without this each public request (a 404 too)
  // rendered the Markdown of every document again: tens of milliseconds of CPU a request for
  // anyone to ask. A document is rendered once per content, again only when its file changed;
  // entries are only ever the listed names, so the cache is as big as the folder.
  const rendered = new Map<string, { markdown: string; doc: RenderedDoc }>();
  const render = (name: string, markdown: string): RenderedDoc => {
    const cached = rendered.get(name);
    if (cached?.markdown === markdown) return cached.doc;
    const doc = renderer(markdown);
    rendered.set(name, { markdown, doc });
    return doc;
  };
  const send = (reply: FastifyReply, status: number, html: string) =>
    reply
      .code(status)
      .header('Content-Security-Policy', DOCS_CSP)
      .header('Cache-Control', 'no-cache')
      .header('X-Content-Type-Options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html);

  const catalogue = (): (DocNavEntry & { summary?: string })[] =>
    library.list().map((name) => {
      const doc = render(name, library.read(name) ?? '');
      return { name, title: doc.title ?? name, summary: doc.summary };
    });

  app.get('/docs', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    const docs = catalogue();
    const cards = docs
      .map(
        (d) =>
          `<li><a href="/docs/${escapeHtml(d.name)}"><strong>${escapeHtml(d.title)}</strong>${d.summary ? `<span>${escapeHtml(d.summary)}</span>` : ''}</a></li>`,
      )
      .join('');
    const body =
      '<h1>Tessera documentation</h1><p>Protocol contracts and setup guides of this Tessera server. The REST API, operation by operation, is described in the <a href="/api/docs">API reference</a>.</p>' +
      (docs.length ? `<ul class="cards">${cards}</ul>` : '<p>No documents are installed with this server.</p>');
    return send(reply, 200, docsPage({ title: 'Documentation', docs, body }));
  });

  app.get('/docs/*', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const raw = String((request.params as { '*': string })['*'] ?? '');
    // `/docs/entra-eam.md` (how the repository and README name it) leads to the page.
    const asFile = /^([a-z0-9][a-z0-9-]*)\.md$/.exec(raw);
    if (asFile && library.read(asFile[1]) !== undefined) return reply.redirect(`/docs/${asFile[1]}`, 301);
    const name = raw.endsWith('/') ? raw.slice(0, -1) : raw;
    const markdown = library.read(name);
    const docs = catalogue();
    if (markdown === undefined) {
      const body =
        '<h1>No such document</h1><p role="alert">This server has no document by that name. The documents it has are listed on the <a href="/docs">documentation index</a>.</p>';
      return send(reply, 404, docsPage({ title: 'Not found', docs, body }));
    }
    const doc = render(name, markdown);
    return send(reply, 200, docsPage({ title: doc.title ?? name, current: name, docs, toc: doc.toc, body: doc.html }));
  });
}

// The docs pages are public: a request, even one for a name that does not exist, must not make the
// server render the Markdown of every document again (each page lists all documents by title).
// A document is rendered once per content, and again only when its file changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import type { App } from '../http/types.js';
import type { DocsLibrary } from './docs.library.js';
import { renderMarkdown } from './docs.render.js';
import { docsRoutes } from './docs.routes.js';

describe('docs pages render each document once per content', () => {
  it('serves the index, pages and 404s from what was rendered, and renders a changed document again', async () => {
    const files: Record<string, string> = { alpha: '# Alpha\n\nFirst.\n', beta: '# Beta\n\nSecond.\n' };
    const library: DocsLibrary = { list: () => Object.keys(files).sort(), read: (name) => (Object.hasOwn(files, name) ? files[name] : undefined) };
    const rendered: string[] = [];
    const render = (markdown: string) => {
      rendered.push(markdown);
      return renderMarkdown(markdown);
    };
    const app = Fastify();
    await docsRoutes(app as unknown as App, { library, render });
    try {
      for (const url of ['/docs', '/docs/alpha', '/docs/beta', '/docs/nope', '/docs/nope', '/docs/alpha', '/docs']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, url === '/docs/nope' ? 404 : 200, url);
      }
      assert.equal(rendered.length, 2, 'each document rendered once');
      files.alpha = '# Alpha, revised\n\nFirst.\n';
      const res = await app.inject({ method: 'GET', url: '/docs/alpha' });
      assert.match(res.body, /<h1 id="alpha-revised">Alpha, revised/);
      assert.equal(rendered.length, 3, 'the changed document rendered again, the other not');
    } finally {
      await app.close();
    }
  });
});

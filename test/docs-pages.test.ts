import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './helpers/app.js';
import { browserSkipReason, launchBrowser } from './helpers/browser.js';

/**
 * The documents Tessera serves itself at /docs: the repository's docs/*.md as pages, public, with
 * links between documents rewritten, nothing but the listed files reachable, and no script on any
 * page (a document's raw HTML is shown as text; the CSP allows no script at all).
 */

function rawGet(port: number, requestPath: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: requestPath, agent: false, headers: { accept: 'text/html' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every CSP directive of a header, by name. */
const directives = (csp: string | undefined) =>
  new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name, values]),
  );

describe('documents served at /docs (the repository docs folder)', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('lists every Markdown file of docs/ on the index, by its title, with a link to the API reference', async () => {
    const res = await t.app.inject({ url: '/docs' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
    const files = fs.readdirSync(path.join(import.meta.dirname, '..', 'docs')).filter((f) => f.endsWith('.md'));
    assert.ok(files.length >= 5, `${files.length} documents in docs/`);
    for (const f of files) assert.ok(res.body.includes(`href="/docs/${f.replace(/\.md$/, '')}"`), `index links ${f}`);
    assert.match(res.body, /<title>Documentation · Tessera docs<\/title>/);
    assert.match(res.body, /Tessera as a Microsoft Entra ID External Authentication Method/);
    assert.ok(res.body.includes('href="/api/docs"'));
  });

  it('renders a document: its title, its headings with ids and a table of contents', async () => {
    const res = await t.app.inject({ url: '/docs/entra-eam' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<title>Tessera as a Microsoft Entra ID External Authentication Method \(EAM\) · Tessera docs<\/title>/);
    assert.match(res.body, /<h2 id="how-it-works">How it works/);
    assert.ok(res.body.includes('<a href="#how-it-works">How it works</a>'), 'the contents link the heading');
    assert.ok(res.body.includes('aria-current="page"'), 'the open document is marked in the list');
    // Markdown came out as HTML, code stayed code.
    assert.match(res.body, /<pre><code/);
  });

  it('sends the old repository file name (/docs/entra-eam.md) to the page', async () => {
    const res = await t.app.inject({ url: '/docs/entra-eam.md' });
    assert.equal(res.statusCode, 301);
    assert.equal(res.headers.location, '/docs/entra-eam');
  });

  it('answers unknown names with a 404 page that leads back to the index', async () => {
    const res = await t.app.inject({ url: '/docs/no-such-doc' });
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /No such document/);
    assert.ok(res.body.includes('href="/docs"'));
  });
});

describe('documents served at /docs: what a hostile request or document cannot do', () => {
  let t: TestApp;
  let port: number;
  let dir: string;
  let outside: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-docs-'));
    fs.writeFileSync(
      path.join(dir, 'guide.md'),
      [
        '# A guide',
        '',
        'See [the other one](other.md#part-two) and [its start](./other.md); [outside](https://example.com/x).',
        '',
        '<script>document.title = "pwned"</script>',
        '',
        'Inline <img src=x onerror="alert(1)"> too, and a [bad link](javascript:alert(1)).',
        '',
        '## Part one',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'other.md'), '# Other\n\n## Part two\n');
    // Files that are no documents: never served, whatever the request says.
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not a document');
    outside = path.join(path.dirname(dir), `outside-${crypto.randomUUID()}.md`);
    fs.writeFileSync(outside, '# outside');
    // A link in the folder to a file outside it: not a file of the folder, never served.
    fs.symlinkSync(outside, path.join(dir, 'linked.md'));
    t = await createTestApp({ docsRoot: dir });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  after(async () => {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { force: true });
  });

  it('rewrites links between documents to /docs/<name> and keeps other links as they are', async () => {
    const res = await rawGet(port, '/docs/guide');
    assert.equal(res.status, 200);
    assert.ok(res.body.includes('<a href="/docs/other#part-two">the other one</a>'), res.body);
    assert.ok(res.body.includes('<a href="/docs/other">its start</a>'));
    assert.ok(res.body.includes('<a href="https://example.com/x" rel="noopener noreferrer">outside</a>'));
    assert.equal(res.body.includes('javascript:'), false, 'a javascript: link is dropped');
  });

  it('shows raw HTML of a document as text: no script element, no event handler attribute', async () => {
    const res = await rawGet(port, '/docs/guide');
    assert.equal(res.status, 200);
    assert.equal(/<script/i.test(res.body), false, 'no script element on the page');
    assert.equal(/<img[^>]*onerror/i.test(res.body), false, 'no live event handler');
    assert.ok(res.body.includes('&lt;script&gt;document.title = &quot;pwned&quot;&lt;/script&gt;'), 'the script is shown, escaped');
    assert.ok(res.body.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;'));
  });

  it('sends HTML with a CSP that allows no script, no framing and no forms', async () => {
    for (const p of ['/docs', '/docs/guide', '/docs/nope']) {
      const res = await rawGet(port, p);
      assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/, p);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      const csp = directives(res.headers['content-security-policy'] as string);
      assert.deepEqual(csp.get('default-src'), ["'none'"], p);
      assert.equal(csp.has('script-src'), false, `${p}: no script source at all (default-src 'none' applies)`);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(csp.get('form-action'), ["'none'"]);
      assert.ok(
        csp.get('style-src')?.every((s) => s.startsWith("'sha256-")),
        'the stylesheet only, by its hash',
      );
    }
  });

  it('serves only the Markdown files listed in the folder: traversal and encodings are refused', async () => {
    const attempts = [
      '/docs/secret.txt',
      '/docs/secret',
      '/docs/../package.json',
      '/docs/..%2fpackage.json',
      '/docs/%2e%2e%2fpackage.json',
      '/docs/%2e%2e/package.json',
      '/docs/..%5cpackage.json',
      '/docs/guide%00',
      '/docs/guide%00.md',
      '/docs/%2fetc%2fpasswd',
      '/docs/guide/../../README',
      '/docs/GUIDE',
      `/docs/..%2f${path.basename(dir)}%2fguide`,
      `/docs/..%2f${path.basename(outside, '.md')}`,
      '/docs/linked',
      '/docs/linked.md',
      '/docs/%252e%252e%252fpackage.json',
      '/docs/%c0%ae%c0%ae%c0%afpackage.json',
      '/docs/%ef%bc%8e%ef%bc%8e%ef%bc%8fpackage.json',
      '/docs/guide.md%0d%0aSet-Cookie:%20x=1',
    ];
    for (const p of attempts) {
      const res = await rawGet(port, p);
      assert.ok(res.status === 404 || res.status === 400, `${p} → ${res.status}`);
      assert.equal(res.body.includes('not a document'), false, p);
      assert.equal(res.body.includes('"name": "tessera"'), false, p);
      assert.equal(res.body.includes('id="outside"'), false, `${p}: the linked file outside the folder`);
      assert.equal(res.headers['set-cookie'], undefined, p);
    }
  });

  it('answers HEAD like GET without a body, and other methods without a 500', async () => {
    const ask = (method: string, p: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path: p, agent: false }, (res) => {
          let body = '';
          res.on('data', (d) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const head = await ask('HEAD', '/docs/guide');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.ok(head.headers['content-security-policy']?.includes("default-src 'none'"), 'HEAD carries the CSP');
    for (const method of ['OPTIONS', 'POST', 'PUT', 'DELETE', 'PROPFIND']) {
      const res = await ask(method, '/docs/guide');
      assert.ok(res.status >= 400 && res.status < 500, `${method} → ${res.status}`);
    }
  });

  it('runs no script of a document in Chromium, and shows the page styled, without console errors, on a phone', { skip: browserSkipReason() }, async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
      page.on('console', (m) => {
        // The console's favicon is not built in this test; anything else is a finding (a CSP refusal of the stylesheet, a script).
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.svg')) problems.push(m.text());
      });
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      const res = await page.goto(`http://127.0.0.1:${port}/docs/guide`);
      assert.equal(res?.status(), 200);
      assert.equal(await page.title(), 'A guide · Tessera docs', 'the document set no title of its own');
      assert.equal(await page.locator('script').count(), 0);
      await page.getByRole('link', { name: 'the other one' }).click();
      await page.waitForURL(/\/docs\/other#part-two$/);
      assert.equal(await page.getByRole('heading', { name: /Part two/ }).count(), 1);
      // The stylesheet passed the CSP (by its hash): the header is laid out as a row.
      assert.equal(await page.evaluate("getComputedStyle(document.querySelector('header')).display"), 'flex');
      const [scrollWidth, clientWidth] = (await page.evaluate('[document.documentElement.scrollWidth, document.documentElement.clientWidth]')) as number[];
      assert.ok(scrollWidth <= clientWidth, `no sideways scrolling at 390 px: ${scrollWidth} > ${clientWidth}`);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  });

  it('lists a document added after the start', async () => {
    fs.writeFileSync(path.join(dir, 'later.md'), '# Added later\n');
    const res = await rawGet(port, '/docs');
    assert.ok(res.body.includes('href="/docs/later"'));
    assert.equal((await rawGet(port, '/docs/later')).status, 200);
  });
});

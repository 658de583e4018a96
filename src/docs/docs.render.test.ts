// Markdown a hostile author might write: whatever the spelling of a script URL or of raw HTML, the
// rendered page has no live script URL, no event handler and no element the author typed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMarkdown } from './docs.render.js';

describe('docs Markdown rendering against script in a document', () => {
  it('drops script URLs however spelt, and shows raw HTML as text', () => {
    const markdown = [
      '[a](javascript:alert(1)) [b](JAVASCRIPT:alert(1)) [c]( javascript:alert(1)) [d](<javascript:alert(1)>)',
      '[e](&#106;avascript:alert(1)) [f](javascript&#58;alert(1)) [g](%6Aavascript:alert(1)) [h](java\tscript:alert(1))',
      '[i](vbscript:msgbox(1)) [j](data:text/html,<script>alert(1)</script>) ![k](data:image/svg+xml,<svg onload=alert(1)>)',
      '<javascript:alert(1)> [l][ref] [m](http://x.test "t\\" onmouseover=\\"alert(1)")',
      '',
      '[ref]: javascript:alert(1)',
      '',
      '# <img src=x onerror=alert(1)> heading',
      '',
      '<iframe src="https://evil.test"></iframe><a href="javascript:alert(1)">raw</a>',
    ].join('\n');
    const { html, title } = renderMarkdown(markdown);
    // Every href/src, as the browser reads it (entities decoded, resolved on the page), is http(s).
    const decode = (v: string) =>
      v
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    for (const [, attr, value] of html.matchAll(/\s(href|src)="([^"]*)"/g)) {
      const url = new URL(decode(value), 'https://tessera.test/docs/guide');
      assert.match(url.protocol, /^https?:$/, `${attr}="${value}"`);
    }
    assert.equal(/<(script|iframe|img|svg)\b/i.test(html), false, html);
    // No event handler attribute on any element (quoted attribute values set aside).
    for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) assert.equal(/\son[a-z]+\s*=/i.test(tag.replace(/"[^"]*"/g, '""')), false, tag);
    assert.ok(html.includes('&lt;iframe'), 'raw HTML shown as text');
    assert.equal(title, '<img src=x onerror=alert(1)> heading');
  });
});

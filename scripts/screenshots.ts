// Screenshots of the main pages of the console and the employee pages, at 1440×900 and 390×844,
// into docs/screenshots/ (linked from the README). The data is what the layout test shows
// (test/helpers/showcase.ts: a real server process, seeded over its API). Run: npm run screenshots
// (it builds the web pages first when web/src is newer than dist/web).
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../src/lib/package-root.js';
import { PAGES, startShowcase, VIEWPORTS } from '../test/helpers/showcase.js';

const out = path.join(packageRoot(), 'docs/screenshots');
fs.mkdirSync(out, { recursive: true });

const showcase = await startShowcase();
try {
  for (const viewport of VIEWPORTS) {
    for (const p of PAGES.filter((x) => x.screenshot)) {
      const { page } = await showcase.session(p.visitor);
      await page.setViewportSize(viewport);
      await page.goto(showcase.urlOf(p));
      await page.getByRole('heading', { level: 1, name: p.heading }).first().waitFor();
      await page.waitForLoadState('networkidle');
      // No blinking caret, no half-finished transition in the picture.
      await page.addStyleTag({
        content: '*, *::before, *::after { transition: none !important; animation: none !important; caret-color: transparent !important; }',
      });
      await page.waitForTimeout(300);
      const file = path.join(out, `${p.screenshot}-${viewport.name}.png`);
      // The window as a person sees it (not the full page: the files stay small).
      await page.screenshot({ path: file });
      console.log(`${path.relative(packageRoot(), file)} (${Math.round(fs.statSync(file).size / 1024)} KB)`);
    }
  }
} finally {
  await showcase.close();
}

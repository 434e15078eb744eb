// screenshot.mjs URL [OUT] [TOKEN] — docs/screenshot.png: the review UI of a
// running `facetag serve` (e.g. `make demo`) at 1280×800 in headless Chromium,
// on the pending photo with the most faces, its first face selected.
// Uses playwright-core from tests/browser and the vips command (palette PNG,
// a third of the bytes), both installed by `make deps`.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tests/browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const [url = 'http://127.0.0.1:8001', out = 'docs/screenshot.png', token = process.env.FACETAG_TOKEN || ''] = process.argv.slice(2);
const base = url.replace(/\/$/, '');
const headers = token ? { Authorization: `Bearer ${token}` } : {};

const pending = await (await fetch(`${base}/pending`, { headers })).json();
if (!Array.isArray(pending) || !pending.length) {
  console.error(`screenshot: ${base}/pending lists no photo to review (${JSON.stringify(pending)})`);
  process.exit(1);
}
const pick = pending.reduce((a, b) => (b.faces > a.faces ? b : a));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--hide-scrollbars'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/${token ? `?token=${encodeURIComponent(token)}` : ''}#/photo/${pick.photo_id}`);
  await page.locator('.overlay .face-box').first().waitFor();
  await page.locator('img.photo').evaluate((img) => img.decode());
  await page.locator('.overlay .face-box').first().click();
  await page.locator('#face-name').evaluate((el) => el.blur());
  await page.evaluate(() => { document.getElementById('status').textContent = ''; });
  await page.waitForFunction(() => [...document.images].every((i) => i.complete));
  await page.screenshot({ path: out });
  execFileSync('vips', ['copy', out, `${out}.tmp.png[palette,Q=95,compression=9]`]);
  execFileSync('mv', [`${out}.tmp.png`, out]);
  console.log(`screenshot: ${out} (photo ${pick.photo_id}, ${pick.faces} faces)`);
} finally {
  await browser.close();
}

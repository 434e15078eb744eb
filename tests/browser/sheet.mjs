// sheet.mjs — a contact sheet in the review UI, in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), against a real `facetag
// serve`. Run by tests/integration/browser_sheet.sh:
//
//   node sheet.mjs URL TOKEN SHEET_ID
//
// The sheet's page shows one outline per frame the API lists for it, each on
// the frame's place (the outline's box on the screen matches the frame's
// corners scaled to the displayed image); clicking an outline opens that
// frame's photo, whose caption links back to the sheet; a frame is titled
// and listed (all photos) as "sheet.jpg, frame N". Any page error,
// console error (a CSP violation among them) or failed check ends the run
// with exit status 1 and the reason.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';

const [BASE, TOKEN, SHEET] = process.argv.slice(2);
if (!BASE || !TOKEN || !SHEET) {
  console.error('usage: node sheet.mjs URL TOKEN SHEET_ID');
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function log(msg) { console.log(`browser sheet: ${msg}`); }

async function get(p) {
  const res = await fetch(BASE.replace(/\/$/, '') + p, { headers: { Authorization: `Bearer ${TOKEN}` } });
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${p}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

async function until(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main() {
  const sheet = await get(`/api/photos/${SHEET}`);
  const frames = (sheet.frames || []).filter((f) => f.kind === 'sheet');
  assert.ok(frames.length >= 4, `API: sheet ${SHEET} lists ${frames.length} frames`);
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (make deps)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    page.setDefaultTimeout(60000); // ASan server on a loaded 2-core machine: waits end when the page is ready
    await page.goto(`${BASE}/?token=${encodeURIComponent(TOKEN)}#/photo/${SHEET}`);
    const stage = page.locator(`.stage:has(> img.photo[src="/image/${SHEET}"])`);
    await until(async () => (await stage.locator('.sheet-frames .sheet-frame').count()) === frames.length,
      `${frames.length} frame outlines on sheet ${SHEET}`);
    await until(() => stage.locator('img.photo').evaluate((img) => img.complete && img.naturalWidth > 0), 'the sheet to load');
    assert.match(await page.locator('.caption').textContent(), new RegExp(`Contact sheet of ${frames.length} frames`));
    // each outline where its frame is: its corners on the screen = the frame's
    // corners scaled to the displayed image
    const img = await stage.locator('img.photo').boundingBox();
    const sx = img.width / sheet.width, sy = img.height / sheet.height;
    for (const f of frames) {
      const pts = await stage.locator(`.sheet-frame[data-frame-no="${f.frame_no}"] polygon`).evaluate((poly) => {
        const m = poly.getScreenCTM();
        return Array.from(poly.points, (q) => [q.x * m.a + q.y * m.c + m.e, q.x * m.b + q.y * m.d + m.f]);
      });
      assert.equal(pts.length, 4, `frame ${f.frame_no}: ${pts.length} corners`);
      f.corners.forEach(([x, y], i) => {
        const ex = img.x + x * sx, ey = img.y + y * sy;
        assert.ok(Math.abs(pts[i][0] - ex) <= 1.5 && Math.abs(pts[i][1] - ey) <= 1.5,
          `frame ${f.frame_no} corner ${i}: on screen ${pts[i].map((v) => v.toFixed(1))} vs ${ex.toFixed(1)},${ey.toFixed(1)}`);
      });
    }
    log(`${frames.length} outlines on their frames`);
    // a click on a frame opens the frame's photo; its caption links back
    const pick = frames[Math.min(4, frames.length - 1)];
    await stage.locator(`.sheet-frame[data-frame-no="${pick.frame_no}"] polygon`).click();
    await until(async () => page.url().endsWith(`#/photo/${pick.photo_id}`), `the address of frame ${pick.frame_no}'s photo`);
    const fstage = page.locator(`.stage:has(> img.photo[src="/image/${pick.photo_id}"])`);
    await until(async () => (await fstage.count()) === 1, `frame ${pick.frame_no}'s photo in the viewer`);
    const back = page.locator('.caption a.sheet-link');
    await until(async () => (await back.textContent()) === `Frame ${pick.frame_no} of a contact sheet`, 'the link back to the sheet');
    assert.equal(await back.getAttribute('href'), `#/photo/${SHEET}`);
    const fp = await get(`/api/photos/${pick.photo_id}`);
    assert.equal(fp.frame_of.parent_id, SHEET, 'API: the frame names its sheet');
    // a frame has no file of its own: it is titled after its sheet's
    const name = `sheet.jpg, frame ${pick.frame_no}`;
    assert.equal(fp.title, name, 'API: the frame\'s title');
    assert.equal(await page.locator('h1.photo-title').textContent(), name, 'the frame photo\'s heading');
    await back.click();
    await until(async () => (await stage.locator('.sheet-frames .sheet-frame').count()) === frames.length, 'back on the sheet');
    log(`frame ${pick.frame_no} opened and back`);
    // the list of all photos names every frame after its sheet (API and page)
    const all = await get('/api/photos?limit=100');
    const listed = all.photos.filter((p) => p.frame_of && p.frame_of.parent_id === SHEET);
    assert.equal(listed.length, frames.length, `API: ${listed.length} frames of the sheet among all photos`);
    for (const p of listed)
      assert.equal(p.title, `sheet.jpg, frame ${p.frame_of.frame_no}`, `API: the list's title of ${p.photo_id}`);
    await page.goto(`${BASE}/?token=${encodeURIComponent(TOKEN)}#/photos`);
    for (const p of listed) {
      const entry = page.locator(`.photo-list a[data-photo-id="${p.photo_id}"] .file`);
      await until(async () => (await entry.count()) === 1, `frame ${p.frame_of.frame_no} in the list`);
      assert.equal(await entry.textContent(), p.title, `the list's entry of frame ${p.frame_of.frame_no}`);
    }
    log(`${listed.length} frames listed as "sheet.jpg, frame N"`);
    if (problems.length) throw new Error(problems.join('; '));
  } finally {
    await browser.close();
  }
}

main().then(() => log('ok'), (e) => {
  console.error(`FAIL (browser sheet): ${e.message}`);
  process.exit(1);
});

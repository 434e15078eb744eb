// names.mjs — annotate's name suggestions in the review UI, in headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against a
// real `facetag serve` over an annotated catalog. Run by
// tests/integration/browser_names.sh:
//
//   node names.mjs URL ACCEPT_LABEL REJECT_LABEL STATE.json
//
// The Names page lists the open suggestions with their evidence (the caption
// text that names the person); one click on Accept for ACCEPT_LABEL names its
// person (checked on the page and through the API). The person page of
// REJECT_LABEL's person shows its suggested names with their evidence; one
// click on Reject rejects it (the API says so, and the Names page no longer
// lists it). The person ids go to STATE.json for the shell's later checks.
// Any page error, console error (a CSP violation among them) or failed check
// ends the run with exit status 1.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { recordStatus, statusSaid, statusLog } from './statuslog.mjs';

const [BASE, ACCEPT, REJECT, STATE] = process.argv.slice(2);
if (!STATE) {
  console.error('usage: node names.mjs URL ACCEPT_LABEL REJECT_LABEL STATE.json');
  process.exit(2);
}
const log = (m) => console.log(`names browser: ${m}`);
const url = (hash) => BASE.replace(/\/$/, '') + '/' + hash;
async function get(p) {
  const r = await fetch(BASE.replace(/\/$/, '') + p);
  assert.equal(r.status, 200, `GET ${p}`);
  return r.json();
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.setDefaultTimeout(60000); // ASan server on a loaded 2-core machine: waits end when the page is ready
  await recordStatus(page);

  const queue = (await get('/api/suggestions')).suggestions;
  const acc = queue.find((s) => s.label === ACCEPT && s.person_id);
  const rej = queue.find((s) => s.label === REJECT && s.person_id);
  assert.ok(acc, `the queue has a person suggestion '${ACCEPT}'`);
  assert.ok(rej, `the queue has a person suggestion '${REJECT}'`);
  assert.notEqual(acc.person_id, rej.person_id);

  // ---- the Names page: suggestions with their evidence, Accept ------------------
  await page.goto(url('#/names'));
  await page.waitForSelector('.names-page li.suggestion');
  assert.equal(await page.locator('.names-page li.suggestion').count(), queue.length, 'one item per open suggestion');
  const item = page.locator(`.names-page li.suggestion[data-label="${ACCEPT}"]`, { hasText: `Person ${acc.person_id}` });
  assert.equal(await item.count(), 1, `one item '${ACCEPT}' for person ${acc.person_id}`);
  const evText = await item.locator('ul.evidence').textContent();
  assert.ok(acc.evidence.length > 0, 'the suggestion has evidence');
  assert.ok(evText.includes(acc.evidence[0].text), `the evidence shows the caption: ${evText}`);
  assert.ok(evText.includes(ACCEPT.split(' ').pop()), 'the evidence text names the person');
  log(`'${ACCEPT}' for person ${acc.person_id} with ${acc.evidence_total} evidence item(s): ${acc.evidence[0].text}`);
  await item.getByRole('button', { name: `Accept ${ACCEPT} for Person ${acc.person_id}` }).click();
  await item.waitFor({ state: 'detached' }); // a named person's suggestions leave the queue
  const named = await get(`/api/persons/${acc.person_id}`);
  assert.equal(named.name, ACCEPT, 'accepting named the person');
  const accRows = (await get(`/api/suggestions?person=${acc.person_id}`)).suggestions.filter((s) => s.label === ACCEPT);
  assert.ok(accRows.length && accRows.every((s) => s.status === 'accepted'), 'the suggestion is accepted');
  // (the page said so: its log of the status line, which it clears after 4 s)
  assert.ok(await statusSaid(page, new RegExp(`Accepted “${ACCEPT}”`)), `the page said it accepted: ${JSON.stringify(await statusLog(page))}`);
  log(`accepted: person ${acc.person_id} is ${named.name}`);

  // ---- the person page: its suggestions with evidence, Reject -------------------
  await page.goto(url(`#/person/${rej.person_id}`));
  const section = page.locator('section.person-suggestions');
  await section.locator(`li.suggestion[data-label="${REJECT}"]`).waitFor();
  assert.ok((await section.locator('ul.evidence').first().textContent()).length > 0, 'evidence on the person page');
  await section.getByRole('button', { name: `Reject ${REJECT} for Person ${rej.person_id}` }).click();
  await section.locator(`li.suggestion.rejected[data-label="${REJECT}"]`).waitFor();
  const rejRows = (await get(`/api/suggestions?person=${rej.person_id}`)).suggestions.filter((s) => s.label === REJECT);
  assert.ok(rejRows.length && rejRows.every((s) => s.status === 'rejected'), 'the suggestion is rejected');
  const still = (await get('/api/suggestions')).suggestions.filter((s) => s.person_id === rej.person_id && s.label === REJECT);
  assert.equal(still.length, 0, 'a rejected suggestion leaves the queue');
  await page.goto(url('#/names'));
  await page.waitForSelector('.names-page p.muted >> text=/suggestion|No open/');
  assert.equal(await page.locator(`.names-page li.suggestion[data-label="${REJECT}"]`, { hasText: `Person ${rej.person_id}` }).count(), 0,
    'the Names page no longer lists the rejected name');
  log(`rejected: '${REJECT}' for person ${rej.person_id}`);

  fs.writeFileSync(STATE, JSON.stringify({ accepted: acc.person_id, rejected: rej.person_id }));
  assert.deepEqual(problems, [], 'no page or console errors');
} catch (e) {
  console.error(`names browser: FAILED: ${e.message}`);
  if (problems.length) console.error(problems.join('\n'));
  await browser.close();
  process.exit(1);
}
await browser.close();
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
log('ok');

// graph.mjs — the timeline and graph views in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) against a real `facetag serve`
// over the hostile fixture of tests/unit/graph_fixture.h on real photos. Run by
// tests/unit/test_graph_browser.c:
//
//   node graph.mjs URL PERSON_A_ID KARNEVAL_EVENT_ID HOSTILE_PLACE_ID PHOTO0_ID
//
// Timeline: a year at a time (the years list, Page Down), the year's entries
// drawn, an entry chosen by mouse shows its photos and people, + zooms in, a
// drag scrolls, → moves to the next entry (into the next year), ← back, a
// person link opens the person. Graph: the person's neighbourhood drawn, → selects nodes,
// e expands one, a click expands another, the year filter hides photos, an
// expansion the server fails once is asked for again by the next e, a
// double-click opens the event page. Event and place pages show their names
// as text. Any page error, console error (a CSP violation among them) or failed
// check ends the run with exit status 1. Late answers: an answer held back
// until a newer request's answer shows (another year, another person's
// timeline, another graph, another event) must leave the newer view as it is.
// FACETAG_SCREENSHOTS=DIR saves DIR/timeline.png and DIR/graph.png.

import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { recordReads, holdAnswer } from './lateanswer.mjs';
import { recordStatus, statusLog } from './statuslog.mjs';

const [BASE, PERSON, KARNEVAL, PLACE, PHOTO0] = process.argv.slice(2);
if (!PHOTO0) {
  console.error('usage: node graph.mjs URL PERSON_A_ID KARNEVAL_EVENT_ID HOSTILE_PLACE_ID PHOTO0_ID');
  process.exit(2);
}
const SHOTS = process.env.FACETAG_SCREENSHOTS;
const log = (m) => console.log(`graph browser: ${m}`);
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
  let expectedError = null; // a console error a step causes on purpose (a request it fails)
  page.on('console', (m) => {
    if (m.type() === 'error' && !(expectedError && expectedError.test(m.text()))) problems.push(`console error: ${m.text()}`);
  });
  page.setDefaultTimeout(60000); // ASan server on a loaded 2-core machine: waits end when the page is ready
  await recordReads(page);
  await recordStatus(page);

  // ---- timeline ------------------------------------------------------------
  // a year at a time: the years list, Karneval's year chosen from it
  await page.goto(url('#/timeline'));
  await page.waitForSelector('#tl-year');
  const years = (await get('/api/timeline/years')).years.map((y) => y.year);
  assert.equal(await page.locator('#tl-year option').count(), years.length, 'one choice per year');
  await page.locator('#timeline-box').focus();
  await page.keyboard.press('PageDown');
  await page.waitForFunction((y) => document.getElementById('tl-year').value === String(y), years[1]);
  log('Page Down goes to the next year');
  await page.selectOption('#tl-year', '1977');
  const api = await get('/api/timeline?year=1977&photos=0');
  const karneval = page.locator('.vis-item.vis-range', { hasText: 'Karneval' });
  await karneval.waitFor();
  const items = await page.locator('.vis-item.vis-box, .vis-item.vis-range').count();
  assert.equal(items, api.timeline.length, "one timeline item per entry of the year");
  const before = (await karneval.boundingBox()).width;
  await karneval.click();
  await page.waitForSelector('#timeline-detail h2 >> text=Karneval');
  await page.waitForSelector('#timeline-detail .tl-photo');
  assert.equal(await page.locator('#timeline-detail .tl-photo').count(), 3, 'Karneval has three photos');
  // The C person's name holds markup: shown as text, never parsed.
  const detailHtml = await page.locator('#timeline-detail').innerHTML();
  assert.ok(!/<b>MERGE<\/b>/.test(detailHtml), 'a name was parsed as HTML');
  assert.ok((await page.locator('#timeline-detail').textContent()).includes('<b>MERGE</b>'), 'the name is shown as text');
  log(`${items} entries in 1977; Karneval chosen by mouse`);
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'timeline.png'), fullPage: false });

  await page.locator('#timeline-box').focus();
  await page.keyboard.press('+');
  await page.waitForFunction((w) => {
    const el = [...document.querySelectorAll('.vis-item')].find((i) => i.textContent.includes('Karneval'));
    return el && el.getBoundingClientRect().width > w * 1.3;
  }, before);
  log('+ zooms in');
  const x0 = (await karneval.boundingBox()).x;
  const box = await page.locator('#timeline-box .vis-center').boundingBox();
  // grab the empty band below the items; zoomed in on the year's middle,
  // Karneval (February) is left of the view: drag right, back to it
  const gy = box.y + box.height - 15;
  await page.mouse.move(box.x + box.width / 2, gy);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 200, gy, { steps: 8 }); // back towards February
  await page.mouse.up();
  await page.waitForFunction((x) => {
    const el = [...document.querySelectorAll('.vis-item')].find((i) => i.textContent.includes('Karneval'));
    return el && Math.abs(el.getBoundingClientRect().x - x) > 100;
  }, x0);
  log('a drag scrolls');
  // → past the year's last entry: the first entry of the next year
  const nextYear = years[years.indexOf(1977) + 1];
  const next = (await get(`/api/timeline?year=${nextYear}&photos=0`)).timeline[0];
  await page.locator('#timeline-box').focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((d) => document.querySelector('#timeline-detail h2')?.textContent.includes(d),
    next.event || next.date);
  assert.equal(await page.locator('#tl-year').inputValue(), String(nextYear));
  log('→ moves to the next entry, into the next year');
  await page.keyboard.press('ArrowLeft');
  await page.waitForSelector('#timeline-detail h2 >> text=Karneval');
  await page.waitForSelector('#timeline-detail a.person-link');
  log('← comes back to Karneval');
  await page.locator('#timeline-detail a.person-link').first().click();
  await page.waitForFunction(() => /^#\/person\/\d+$/.test(location.hash));
  log('a person link opens the person');

  // person's timeline: first / last seen and ages
  await page.goto(url(`#/timeline/person/${PERSON}`));
  await page.waitForSelector('.tl-person');
  const who = await get(`/api/timeline?person=${PERSON}`);
  assert.ok((await page.locator('.tl-person').textContent()).includes(`First seen ${who.person.first_seen}`));
  // the header names every event and place of the person, not the first year's alone
  const hrefs = (sel) => page.locator(`.tl-person ${sel}`).evaluateAll((els) => els.map((e) => e.getAttribute('href')));
  assert.ok(who.person.events.length >= 2 && who.person.places.length >= 2, 'person A has events and places in several years');
  assert.deepEqual(await hrefs('a[href^="#/event/"]'), who.person.events.map((e) => `#/event/${e.id}`), "the person's events");
  assert.deepEqual(await hrefs('a[href^="#/place/"]'), who.person.places.map((p) => `#/place/${p.id}`), "the person's places");
  log("a person's timeline names all their events and places");

  // ---- graph ------------------------------------------------------------------
  await page.goto(url(`#/graph/person/${PERSON}`));
  await page.waitForSelector('#graph-canvas[data-nodes]');
  const g = await get(`/api/graph?node=person:${PERSON}&depth=1&limit=60`);
  const nodes = async () => Number(await page.locator('#graph-canvas').getAttribute('data-nodes'));
  assert.equal(await nodes(), g.nodes.length, 'the person and its neighbours drawn');
  log(`graph of person ${PERSON}: ${g.nodes.length} nodes`);
  // keys: → to the Karneval event node (nodes in id order), e expands it
  await page.locator('#graph-canvas').focus();
  const order = g.nodes.map((n) => n.id).sort();
  for (let i = 0; i <= order.indexOf(`event:${KARNEVAL}`); i++) await page.keyboard.press('ArrowRight');
  const selected = await page.evaluate(() => document.getElementById('graph-canvas').cy.$('node:selected').id());
  assert.equal(selected, `event:${KARNEVAL}`, '→ selects the nodes in turn');
  const n0 = await nodes();
  await page.keyboard.press('e');
  await page.waitForFunction((n) => Number(document.getElementById('graph-canvas').dataset.nodes) > n, n0);
  log(`e expanded Karneval: ${await nodes()} nodes`);
  // mouse: click another person of the event (seen in photos not drawn yet) to expand it
  const n1 = await nodes();
  const other = (await get(`/api/events/${KARNEVAL}`)).people.find((p) => String(p.id) !== PERSON);
  // the expansion re-runs the layout: click only once the node has stopped moving
  const where = (id) => page.evaluate((id) => {
    const c = document.getElementById('graph-canvas');
    const p = c.cy.$id(id).renderedPosition();
    const r = c.getBoundingClientRect();
    return { x: r.x + p.x, y: r.y + p.y };
  }, id);
  let photoPos = await where(`person:${other.id}`);
  for (let i = 0; i < 50; i++) {
    await page.waitForTimeout(100);
    const next = await where(`person:${other.id}`);
    if (Math.abs(next.x - photoPos.x) < 0.5 && Math.abs(next.y - photoPos.y) < 0.5) break;
    photoPos = next;
  }
  await page.mouse.click(photoPos.x, photoPos.y);
  await page.waitForFunction((n) => Number(document.getElementById('graph-canvas').dataset.nodes) > n, n1);
  log(`a click expanded person ${other.id}: ${await nodes()} nodes`);
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'graph.png'), fullPage: false });
  // filter by year: photos of other years hidden
  await page.selectOption('#graph-year', '1977');
  const shown = Number(await page.locator('#graph-canvas').getAttribute('data-shown'));
  assert.ok(shown > 0 && shown < await nodes(), `the year filter shows ${shown} of ${await nodes()}`);
  // a node expanded while the filter is set: its photos and events of other
  // years (person C's undated photo) are hidden as well
  const third = (await get(`/api/events/${KARNEVAL}`)).people.find((p) => String(p.id) !== PERSON && p.id !== other.id);
  const offYear = () => page.evaluate(() => {
    const cy = document.getElementById('graph-canvas').cy;
    const off = cy.nodes().filter((n) => ['Foto', 'Event'].includes(n.data('type')) && n.data('year') !== 1977);
    return { all: off.length, shown: off.filter((n) => n.style('display') !== 'none').length };
  });
  const off0 = await offYear();
  const n2 = await nodes();
  await page.evaluate((id) => { const cy = document.getElementById('graph-canvas').cy; cy.nodes().unselect(); cy.$id(id).select(); },
    `person:${third.id}`);
  await page.locator('#graph-canvas').focus();
  await page.keyboard.press('e');
  await page.waitForFunction((n) => Number(document.getElementById('graph-canvas').dataset.nodes) > n, n2);
  const off1 = await offYear();
  assert.ok(off1.all > off0.all, `expanding person ${third.id} should add a photo or event of another year than 1977`);
  assert.equal(off1.shown, 0, `the year filter (1977) left ${off1.shown} photos or events of other years shown after an expansion`);
  log(`person ${third.id} expanded under the year filter: the new photos of other years hidden`);
  await page.selectOption('#graph-year', '');
  // an expansion whose request fails is not left marked as expanded: the
  // same key asks again and expands the node (the server fails it once here)
  const foto = await page.evaluate(() => {
    const n = document.getElementById('graph-canvas').cy.nodes('[type = "Foto"]')[0];
    return n ? { id: n.id(), label: n.data('label') } : null;
  });
  assert.ok(foto, 'a photo node to expand');
  const fotoGraph = (u) => u.pathname === '/api/graph' && u.searchParams.get('node') === foto.id;
  expectedError = /the graph failed on purpose|status of 503/;
  await page.route(fotoGraph, (route) => route.fulfill({ status: 503, contentType: 'application/json',
    body: JSON.stringify({ error: 'the graph failed on purpose' }) }), { times: 1 });
  await page.evaluate((id) => { const cy = document.getElementById('graph-canvas').cy; cy.nodes().unselect(); cy.$id(id).select(); },
    foto.id);
  await page.locator('#graph-canvas').focus();
  await page.keyboard.press('e');
  await page.waitForFunction(() => window.__statusLog.some((t) => t.includes('the graph failed on purpose')));
  const asked = page.waitForRequest((r) => fotoGraph(new URL(r.url())))
    .catch(() => { throw new Error(`e after a failed expansion of ${foto.id} did not ask for its neighbours again`); });
  await page.keyboard.press('e');
  await asked;
  await page.waitForFunction((l) => window.__statusLog.some((t) => t.startsWith(`${l}: `)), foto.label);
  expectedError = null;
  log(`an expansion of ${foto.id} that failed was asked for again and expanded it`);
  // double-click the event: its page
  const evPos = await page.evaluate((id) => {
    const c = document.getElementById('graph-canvas');
    const p = c.cy.$id(id).renderedPosition();
    const r = c.getBoundingClientRect();
    return { x: r.x + p.x, y: r.y + p.y };
  }, `event:${KARNEVAL}`);
  await page.mouse.dblclick(evPos.x, evPos.y);
  await page.waitForFunction((id) => location.hash === `#/event/${id}`, KARNEVAL);
  await page.waitForSelector('#event-people li');
  assert.equal(await page.locator('main h1').textContent(), 'Karneval');
  const ev = await get(`/api/events/${KARNEVAL}`);
  assert.equal(await page.locator('#event-people li').count(), ev.people.length);
  assert.equal(await page.locator('main .tl-photo').count(), ev.photo_list.length);
  log('a double-click opened the event page');

  // ---- place page: a hostile name, shown as text -----------------------------
  await page.goto(url(`#/place/${PLACE}`));
  await page.waitForSelector('#place-events');
  const place = await get(`/api/places/${PLACE}`);
  assert.equal(await page.locator('main h1').textContent(), place.name, 'the place name shown exactly');
  await page.goto(url('#/events'));
  await page.waitForSelector('#event-list li');
  assert.equal(await page.locator('#event-list li').count(), (await get('/api/events')).length);
  log('event and place pages');

  // ---- late answers: a view asked for later stays ------------------------------
  // Each step holds one answer back until the view asked for after it shows,
  // lets it go, and checks the view once the page has read it (lateanswer.mjs).
  const go = (hash) => page.evaluate((h) => { location.hash = h; }, hash);
  const itemTexts = () => page.locator('#timeline-box .vis-item-content').evaluateAll((els) => els.map((e) => e.textContent).sort());
  const entryTexts = (t) => t.timeline.map((en) => `${en.event ? en.event : `${en.date} (${en.precision})`} ${en.photo_count}`).sort();
  const drawn = async (want) => {
    await page.waitForFunction((w) => {
      const t = [...document.querySelectorAll('#timeline-box .vis-item-content')].map((e) => e.textContent).sort();
      return JSON.stringify(t) === JSON.stringify(w);
    }, want);
  };

  // timeline: year A asked for, then year B; A's answer comes last
  const [yearA, yearB] = [years[1], years[years.length - 1]];
  const wantB = entryTexts(await get(`/api/timeline?year=${yearB}&photos=0`));
  await go('#/timeline'); // from the events page: a timeline page of its own
  await drawn(entryTexts(await get(`/api/timeline?year=${years[0]}&photos=0`)));
  let late = await holdAnswer(page, (u) => u.pathname === '/api/timeline' && u.searchParams.get('year') === String(yearA) &&
    !u.searchParams.has('person'), `the timeline to ask for ${yearA}`);
  await page.selectOption('#tl-year', String(yearA));
  await late.asked;
  await page.selectOption('#tl-year', String(yearB));
  await drawn(wantB);
  await late.release();
  assert.deepEqual(await itemTexts(), wantB, `the late answer of ${yearA} replaced the entries of ${yearB}`);
  assert.equal(await page.locator('#tl-year').inputValue(), String(yearB), `the late answer of ${yearA} changed the year chosen`);
  log(`a late answer of ${yearA} left ${yearB} on the timeline`);

  // a person's timeline, then another's; the first one's answer comes last
  const personB = other.id;
  const yearsB = (await get(`/api/timeline/years?person=${personB}`)).years;
  const wantPersonB = entryTexts(await get(`/api/timeline?person=${personB}&year=${yearsB[0].year}&photos=0`));
  late = await holdAnswer(page, (u) => u.pathname === '/api/timeline' && u.searchParams.get('person') === String(PERSON),
    `person ${PERSON}'s timeline to ask for its first year`);
  await go(`#/timeline/person/${PERSON}`);
  await late.asked;
  await go(`#/timeline/person/${personB}`);
  await page.waitForSelector(`.tl-person h1 a[href="#/person/${personB}"]`);
  await drawn(wantPersonB);
  await late.release();
  assert.deepEqual(await page.locator('.tl-person h1 a').evaluateAll((els) => els.map((e) => e.getAttribute('href'))),
    [`#/person/${personB}`], `the late answer of person ${PERSON}'s timeline replaced person ${personB}'s`);
  assert.deepEqual(await itemTexts(), wantPersonB, `the late answer of person ${PERSON}'s timeline changed the entries`);
  assert.deepEqual(await page.locator('#tl-year option').evaluateAll((els) => els.map((e) => Number(e.value))),
    yearsB.map((y) => y.year), `person ${personB}'s years`);
  log(`a late answer of person ${PERSON}'s timeline left person ${personB}'s`);

  // the graph without a node (it starts at the first person), then an event's graph
  const canvasOf = (ref) => page.evaluate((r) => {
    const all = document.querySelectorAll('#graph-canvas');
    const c = all[0];
    return { canvases: all.length, root: !!(c && c.cy && c.cy.$id(r).length && c.cy.$id(r).data('depth') === 0) };
  }, ref);
  await page.waitForFunction(() => document.querySelectorAll('#person-options option').length > 0); // the app's own list of persons is in
  late = await holdAnswer(page, (u) => u.pathname === '/api/persons', 'the graph without a node to ask for the persons');
  await go('#/graph');
  await late.asked;
  await go(`#/graph/event/${KARNEVAL}`);
  await page.waitForSelector('#graph-canvas[data-nodes]');
  await late.release();
  assert.deepEqual(await canvasOf(`event:${KARNEVAL}`), { canvases: 1, root: true },
    'the late answer of the graph without a node replaced the event\'s graph');
  log('a late answer of the first graph left the event\'s graph');

  // a person's graph, then the event's: the person's expansion answers last,
  // and says nothing on the event's page
  const labelA = (await get(`/api/graph?node=person:${PERSON}&depth=1&limit=60`)).nodes.find((n) => n.id === `person:${PERSON}`).label;
  late = await holdAnswer(page, (u) => u.pathname === '/api/graph' && u.searchParams.get('node') === `person:${PERSON}`,
    `person ${PERSON}'s graph to ask for its neighbours`);
  await go(`#/graph/person/${PERSON}`);
  await late.asked;
  await go(`#/graph/event/${KARNEVAL}`);
  await page.waitForSelector('#graph-canvas[data-nodes]'); // drawn, and its count said (the same task)
  const said = (await statusLog(page)).length;
  await late.release();
  assert.deepEqual(await canvasOf(`event:${KARNEVAL}`), { canvases: 1, root: true }, 'the event\'s graph after a late answer');
  const since = (await statusLog(page)).slice(said);
  assert.deepEqual(since, [], `the late answer of person ${PERSON}'s graph (${labelA}) spoke on the event's page`);
  log(`a late answer of person ${PERSON}'s graph said nothing on the event's graph`);

  // an event's page, then another's; the first one's answer comes last
  const otherEvent = (await get('/api/events')).find((ev) => String(ev.id) !== String(KARNEVAL));
  late = await holdAnswer(page, (u) => u.pathname === `/api/events/${KARNEVAL}`, `event ${KARNEVAL}'s page to ask for it`);
  await go(`#/event/${KARNEVAL}`);
  await late.asked;
  await go(`#/event/${otherEvent.id}`);
  await page.waitForSelector('#event-people');
  await late.release();
  assert.deepEqual(await page.locator('main h1').allTextContents(), [otherEvent.name],
    `the late answer of event ${KARNEVAL} replaced event ${otherEvent.id}'s page`);
  log(`a late answer of event ${KARNEVAL} left event ${otherEvent.id}'s page`);
} catch (e) {
  problems.push(e.stack || String(e));
} finally {
  await browser.close();
}
if (problems.length) {
  for (const p of problems) console.error(`graph browser: ${p}`);
  process.exit(1);
}
log('ok');

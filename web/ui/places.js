// places.js — the pages of events and places: #/events (both lists),
// #/event/ID (when, where, who, its photos) and #/place/ID (its events and photos).

import { h, clear, fail, plural, MainHold } from './dom.js';
import { urls } from './api.js';
import { graphApi } from './graphapi.js';

function photoGrid(list) {
  return h('div', { class: 'tl-photos' }, list.map((ph) => h('figure', { class: 'tl-photo', dataset: { photo: ph.id } },
    h('a', { href: `#/photo/${ph.id}`, 'aria-label': `Photo ${ph.id}` }, h('img', { src: urls.image(ph.id), alt: '', loading: 'lazy' })),
    h('figcaption', { class: 'muted' }, ph.date || 'undated'))));
}

function when(ev) {
  return ev.date ? `${ev.date} (${ev.precision})` : 'undated';
}

/* load(main, note, ask, show) — note ("Loading…") in main, then show(answer of
   ask()) unless another page has taken main meanwhile: every page fills main
   as it is made, so a late answer of a page left behind is dropped, and its
   failure too (docs/decisions/2026-12-07-ui-late-answers.md). */
function load(main, note, ask, show) {
  const hold = new MainHold(h('p', { class: 'muted' }, note));
  clear(main, hold.node);
  ask().then((a) => { if (hold.here()) show(a); }, (e) => hold.fail(e)).catch(fail);
}

export class EventsPage {
  constructor(main) {
    load(main, 'Loading…', () => Promise.all([graphApi.events(), graphApi.places()]), ([events, places]) => {
      clear(main, h('h1', {}, 'Events and places'),
        h('h2', {}, plural(events.length, 'event', 'events')),
        h('ul', { class: 'plain-list', id: 'event-list' }, events.map((ev) => h('li', {},
          h('a', { href: `#/event/${ev.id}` }, ev.name), ` — ${when(ev)}`, ev.place ? ` @ ${ev.place}` : '',
          h('span', { class: 'muted' }, ` · ${plural(ev.photos, 'photo', 'photos')}`)))),
        h('h2', {}, plural(places.length, 'place', 'places')),
        h('ul', { class: 'plain-list', id: 'place-list' }, places.map((p) => h('li', {},
          h('a', { href: `#/place/${p.id}` }, p.name), p.country ? ` (${p.country})` : '',
          h('span', { class: 'muted' }, ` · ${plural(p.photos, 'photo', 'photos')}, ${plural(p.events, 'event', 'events')}`)))));
    });
  }
}

export class EventPage {
  constructor(main, id) {
    load(main, 'Loading the event…', () => graphApi.event(id), (ev) => {
      clear(main, h('h1', {}, ev.name),
        h('p', {}, when(ev), ev.place_id ? [' · ', h('a', { href: `#/place/${ev.place_id}` }, ev.place)] : '',
          ev.source ? h('span', { class: 'muted' }, ` · from ${ev.source}`) : ''),
        h('p', {}, h('a', { href: `#/graph/event/${ev.id}` }, 'Show in the graph'), ' · ',
          h('a', { href: '#/timeline' }, 'Timeline')),
        h('h2', {}, `Who is there (${ev.people.length})`),
        h('ul', { class: 'plain-list', id: 'event-people' }, ev.people.map((p) => h('li', {},
          h('a', { href: `#/person/${p.id}` }, p.name), ' · ', h('a', { href: `#/timeline/person/${p.id}` }, 'timeline')))),
        h('h2', {}, plural(ev.photos, 'photo', 'photos')), photoGrid(ev.photo_list));
    });
  }
}

export class PlacePage {
  constructor(main, id) {
    load(main, 'Loading the place…', () => graphApi.place(id), (p) => {
      clear(main, h('h1', {}, p.name),
        h('p', {}, p.country || '', p.lat !== null ? ` ${p.lat.toFixed(4)}, ${p.lon.toFixed(4)}` : '',
          p.source ? h('span', { class: 'muted' }, ` · from ${p.source}`) : ''),
        h('p', {}, h('a', { href: `#/graph/place/${p.id}` }, 'Show in the graph')),
        h('h2', {}, plural(p.event_list.length, 'event', 'events')),
        h('ul', { class: 'plain-list', id: 'place-events' }, p.event_list.map((ev) => h('li', {},
          h('a', { href: `#/event/${ev.id}` }, ev.name), ` — ${when(ev)}`))),
        h('h2', {}, plural(p.photos, 'photo', 'photos')), photoGrid(p.photo_list));
    });
  }
}

// chronology.js — the timeline view (#/timeline, #/timeline/person/ID): the
// archive's entries (events, and dates at their precision) on a vis-timeline
// that zooms (wheel, + / -) and scrolls (drag, ← / → to the previous / next
// entry); the chosen entry's photos with their people below, each a link to
// the photo and the person; undated photos listed apart.

import { Timeline, DataSet } from './vendor/vis-timeline.bundle.mjs';
import { h, clear, fail, plural } from './dom.js';
import { urls } from './api.js';
import { graphApi } from './graphapi.js';

/* span(date, precision) → [start, end] Dates (end null for a day). */
function span(date, precision) {
  const y = Number.parseInt(date.slice(0, 4), 10);
  const m = /^\d{4}-(\d{2})/.exec(date);
  const d = /^\d{4}-\d{2}-(\d{2})/.exec(date);
  const month = m ? Number(m[1]) - 1 : 0;
  switch (precision) {
    case 'day': return [new Date(Date.UTC(y, month, d ? Number(d[1]) : 1)), null];
    case 'month': return [new Date(Date.UTC(y, month, 1)), new Date(Date.UTC(y, month + 1, 1))];
    case 'decade': return [new Date(Date.UTC(y, 0, 1)), new Date(Date.UTC(y + 10, 0, 1))];
    default: return [new Date(Date.UTC(y, 0, 1)), new Date(Date.UTC(y + 1, 0, 1))]; // year, season
  }
}

function entryTitle(en) {
  return en.event ? en.event : `${en.date} (${en.precision})`;
}

function peopleLinks(people, withAge) {
  return people.map((p, i) => [i ? ', ' : '',
    h('a', { href: `#/person/${p.id}`, class: 'person-link' }, p.name || `Person ${p.id}`),
    withAge && typeof p.age === 'number' ? ` (~${Math.round(p.age)})` : '']);
}

function photoCard(ph, withAge) {
  return h('figure', { class: 'tl-photo', dataset: { photo: ph.id } },
    h('a', { href: `#/photo/${ph.id}`, 'aria-label': `Photo ${ph.id}` },
      h('img', { src: urls.image(ph.id), alt: '', loading: 'lazy' })),
    h('figcaption', {}, ph.date ? h('span', { class: 'muted' }, `${ph.date} `) : '', peopleLinks(ph.people || [], withAge)));
}

export class TimelinePage {
  constructor(main, { person = null } = {}) {
    this.main = main;
    this.person = person;
    this.entries = [];
    this.selected = -1;
    clear(main, h('p', { class: 'muted' }, 'Loading the timeline…'));
    this.load().catch(fail);
  }

  async load() {
    const t = await graphApi.timeline({ person: this.person });
    this.entries = t.timeline;
    const head = this.person && t.person
      ? h('div', { class: 'tl-person' },
        h('h1', {}, 'Timeline of ', h('a', { href: `#/person/${t.person.id}` }, t.person.name || `Person ${t.person.id}`)),
        h('p', {}, t.person.first_seen ? `First seen ${t.person.first_seen}, last seen ${t.person.last_seen}; ` : '',
          `${plural(t.person.photos, 'photo', 'photos')}, ${t.person.dated_photos} dated.`),
        t.person.events.length ? h('p', {}, 'Events: ', t.person.events.map((e, i) => [i ? ', ' : '',
          h('a', { href: `#/event/${e.id}` }, e.name)])) : '',
        t.person.places.length ? h('p', {}, 'Places: ', t.person.places.map((p, i) => [i ? ', ' : '',
          h('a', { href: `#/place/${p.id}` }, p.name)])) : '')
      : h('h1', {}, 'Timeline');
    this.box = h('div', { id: 'timeline-box', class: 'timeline-box', tabindex: '0',
      'aria-label': 'Timeline: drag to scroll, wheel or + / - to zoom, ← / → for the previous / next entry' });
    this.detail = h('section', { id: 'timeline-detail', class: 'tl-detail', 'aria-live': 'polite' },
      h('p', { class: 'muted' }, this.entries.length ? 'Choose an entry on the timeline.' : 'No dated photos yet.'));
    const undated = t.undated_count
      ? h('section', { class: 'tl-undated' }, h('h2', {}, `Undated: ${plural(t.undated_count, 'photo', 'photos')}`),
        h('div', { class: 'tl-photos' }, t.undated.map((ph) => photoCard(ph, false))))
      : '';
    clear(this.main, head,
      h('p', { class: 'muted' }, `${plural(this.entries.length, 'entry', 'entries')}${t.truncated ? ' (the first ones)' : ''}; `,
        h('a', { href: '#/events' }, 'all events and places')),
      this.box, this.detail, undated);
    if (!this.entries.length) return;
    const items = new DataSet(this.entries.map((en, i) => {
      const [start, end] = span(en.date, en.precision);
      return {
        id: i, start, end: end || undefined, type: end ? 'range' : 'box',
        content: h('span', {}, entryTitle(en), h('span', { class: 'tl-count' }, ` ${en.photo_count}`)),
        className: en.event ? 'tl-event' : 'tl-date',
      };
    }));
    this.timeline = new Timeline(this.box, items, {
      height: '300px', stack: true, zoomable: true, moveable: true, selectable: true, orientation: 'top',
      zoomMin: 1000 * 60 * 60 * 24 * 7,
    });
    this.timeline.on('select', ({ items: sel }) => { if (sel.length) this.show(sel[0]); });
  }

  show(i) {
    const en = this.entries[i];
    if (!en) return;
    this.selected = i;
    this.timeline.setSelection([i], { focus: false });
    clear(this.detail,
      h('h2', {}, en.event_id ? h('a', { href: `#/event/${en.event_id}` }, en.event) : en.date,
        h('span', { class: 'muted' }, ` ${en.date} · ${en.precision}`)),
      en.place_id ? h('p', {}, 'Place: ', h('a', { href: `#/place/${en.place_id}` }, en.place)) : '',
      h('p', { class: 'muted' }, plural(en.photo_count, 'photo', 'photos'),
        en.photos.length < en.photo_count ? ` (the first ${en.photos.length} shown)` : ''),
      h('div', { class: 'tl-photos' }, en.photos.map((ph) => photoCard(ph, !!this.person))));
  }

  onKey(e) {
    if (!this.timeline) return false;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowLeft': {
        const next = this.selected < 0 ? 0 : this.selected + (e.key === 'ArrowRight' ? 1 : -1);
        if (next < 0 || next >= this.entries.length) return true;
        this.show(next);
        const [start] = span(this.entries[next].date, this.entries[next].precision);
        this.timeline.moveTo(start, { animation: false }); // scroll there, keep the zoom
        return true;
      }
      case '+': case '=': this.timeline.zoomIn(0.5, { animation: false }); return true;
      case '-': this.timeline.zoomOut(0.5, { animation: false }); return true;
      default: return false;
    }
  }
}

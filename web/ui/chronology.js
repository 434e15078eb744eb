// chronology.js — the timeline view (#/timeline, #/timeline/person/ID), a year
// at a time: the years with their photo counts (a list, PageUp / PageDown),
// the year's entries (events, and dates at their precision) on a vis-timeline
// that zooms (wheel, + / -) and scrolls (drag, ← / → to the previous / next
// entry, across years); the chosen entry's photos with their people below,
// each a link to the photo and the person; undated photos on request. Every
// answer is bounded (docs/api.md): the years, one year's entries with counts,
// one entry's photos.

import { Timeline, DataSet } from './vendor/vis-timeline.bundle.mjs';
import { h, clear, plural, MainHold } from './dom.js';
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

const ENTRY_PHOTOS = 60; // photos shown of the chosen entry
const UNDATED_PHOTOS = 48;
const HEADER_ENTRIES = 2000; // the most /api/timeline lists (docs/api.md)

export class TimelinePage {
  constructor(main, { person = null } = {}) {
    this.main = main;
    this.person = person;
    this.years = [];
    this.year = null;
    this.entries = [];
    this.selected = -1;
    this.timeline = null;
    /* Answers arrive in any order, and after the reader has gone elsewhere
       (docs/decisions/2026-12-07-ui-late-answers.md): only the latest year
       and the latest entry asked for are shown (yearsAsked, entriesAsked
       count the requests), and nothing at all once another page has taken
       the main area (MainHold). */
    this.yearsAsked = 0;
    this.entriesAsked = 0;
    this.hold = new MainHold(h('p', { class: 'muted' }, 'Loading the timeline…'));
    clear(main, this.hold.node);
    this.load().catch((e) => this.hold.fail(e));
  }

  async load() {
    const y = await graphApi.timelineYears(this.person);
    if (!this.hold.here()) return;
    this.years = y.years;
    // the person's header comes with any page of their timeline; its events
    // and places are those of the entries asked for, so it asks for them all
    // (counts only, up to the API's limit), not for one year's
    const first = this.person
      ? await graphApi.timeline({ person: this.person, undated: 0, photos: 0, limit: HEADER_ENTRIES })
      : null;
    if (!this.hold.here()) return;
    const p = first && first.person;
    const head = p
      ? h('div', { class: 'tl-person' },
        h('h1', {}, 'Timeline of ', h('a', { href: `#/person/${p.id}` }, p.name || `Person ${p.id}`)),
        h('p', {}, p.first_seen ? `First seen ${p.first_seen}, last seen ${p.last_seen}; ` : '',
          `${plural(p.photos, 'photo', 'photos')}, ${p.dated_photos} dated.`),
        p.events.length ? h('p', {}, 'Events: ', p.events.map((e, i) => [i ? ', ' : '',
          h('a', { href: `#/event/${e.id}` }, e.name)]), first.truncated ? ' (of the first entries)' : '') : '',
        p.places.length ? h('p', {}, 'Places: ', p.places.map((pl, i) => [i ? ', ' : '',
          h('a', { href: `#/place/${pl.id}` }, pl.name)])) : '')
      : h('h1', {}, 'Timeline');
    this.select = h('select', { id: 'tl-year', 'aria-label': 'Year', onchange: () => this.showYear(Number(this.select.value)).catch((e) => this.hold.fail(e)) },
      this.years.map((yr) => h('option', { value: String(yr.year) }, `${yr.year} (${yr.photos})`)));
    this.count = h('span', { class: 'muted' });
    this.box = h('div', { id: 'timeline-box', class: 'timeline-box', tabindex: '0',
      'aria-label': 'Timeline: drag to scroll, wheel or + / - to zoom, ← / → for the previous / next entry, Page Up / Page Down for the previous / next year' });
    this.detail = h('section', { id: 'timeline-detail', class: 'tl-detail', 'aria-live': 'polite' },
      h('p', { class: 'muted' }, this.years.length ? 'Choose an entry on the timeline.' : 'No dated photos yet.'));
    const undated = y.undated_count
      ? h('section', { class: 'tl-undated' }, h('h2', {}, `Undated: ${plural(y.undated_count, 'photo', 'photos')}`),
        h('button', { type: 'button', id: 'tl-undated', onclick: (ev) => this.showUndated(ev.target).catch((e) => this.hold.fail(e)) },
          'Show them'))
      : '';
    clear(this.main, head,
      this.years.length ? h('p', { class: 'tl-years' }, h('label', { for: 'tl-year' }, 'Year '), this.select, ' ', this.count, ' · ',
        h('a', { href: '#/events' }, 'all events and places')) : '',
      this.box, this.detail, undated);
    this.hold.take(this.box);
    if (this.years.length) await this.showYear(this.years[0].year);
  }

  /* One year's entries on the timeline (counts only: the photos come with a click). */
  async showYear(year, pick = null) {
    const turn = ++this.yearsAsked;
    let t;
    try {
      t = await graphApi.timeline({ person: this.person, year, photos: 0 });
    } catch (e) {
      if (turn === this.yearsAsked) throw e;
      return;
    }
    if (turn !== this.yearsAsked) return; // a later year was asked for meanwhile
    this.year = year;
    this.select.value = String(year);
    this.entries = t.timeline;
    this.selected = -1;
    this.count.textContent = `${plural(this.entries.length, 'entry', 'entries')}${t.truncated ? ' (the first ones)' : ''}`;
    const items = new DataSet(this.entries.map((en, i) => {
      const [start, end] = span(en.date, en.precision);
      return {
        id: i, start, end: end || undefined, type: end ? 'range' : 'box',
        content: h('span', {}, entryTitle(en), h('span', { class: 'tl-count' }, ` ${en.photo_count}`)),
        className: en.event ? 'tl-event' : 'tl-date',
      };
    }));
    const win = { start: new Date(Date.UTC(year, 0, 1)), end: new Date(Date.UTC(year + 1, 0, 1)) };
    if (!this.timeline) {
      this.timeline = new Timeline(this.box, items, {
        height: '300px', stack: true, zoomable: true, moveable: true, selectable: true, orientation: 'top',
        zoomMin: 1000 * 60 * 60 * 24 * 7, ...win,
      });
      this.timeline.on('select', ({ items: sel }) => { if (sel.length) this.show(sel[0]).catch((e) => this.hold.fail(e)); });
    } else {
      this.timeline.setItems(items);
      this.timeline.setWindow(win.start, win.end, { animation: false });
    }
    clear(this.detail, h('p', { class: 'muted' }, 'Choose an entry on the timeline.'));
    if (pick === 'first' && this.entries.length) await this.show(0);
    if (pick === 'last' && this.entries.length) await this.show(this.entries.length - 1);
  }

  /* The chosen entry's photos with their people. */
  async show(i) {
    const en = this.entries[i];
    if (!en) return;
    this.selected = i;
    this.timeline.setSelection([i], { focus: false });
    const turn = ++this.entriesAsked;
    let t;
    try {
      t = await graphApi.timeline({ person: this.person, entry: en.id, photos: ENTRY_PHOTOS });
    } catch (e) {
      if (turn === this.entriesAsked && this.entries[i] === en) throw e;
      return;
    }
    // another entry (or year) was chosen meanwhile
    if (turn !== this.entriesAsked || this.selected !== i || this.entries[i] !== en) return;
    const photos = t.timeline.length ? t.timeline[0].photos : [];
    clear(this.detail,
      h('h2', {}, en.event_id ? h('a', { href: `#/event/${en.event_id}` }, en.event) : en.date,
        h('span', { class: 'muted' }, ` ${en.date} · ${en.precision}`)),
      en.place_id ? h('p', {}, 'Place: ', h('a', { href: `#/place/${en.place_id}` }, en.place)) : '',
      h('p', { class: 'muted' }, plural(en.photo_count, 'photo', 'photos'),
        photos.length < en.photo_count ? ` (the first ${photos.length} shown)` : ''),
      h('div', { class: 'tl-photos' }, photos.map((ph) => photoCard(ph, !!this.person))));
  }

  async showUndated(button) {
    // no dated entry sorts under the year 9999: the answer holds the undated photos only
    const t = await graphApi.timeline({ person: this.person, from: 9999, to: 9999, undated: 1, photos: UNDATED_PHOTOS });
    button.replaceWith(h('div', { class: 'tl-photos' }, t.undated.map((ph) => photoCard(ph, false))),
      t.undated.length < t.undated_count ? h('p', { class: 'muted' }, `the first ${t.undated.length} shown`) : '');
  }

  /* The next (+1) or previous (-1) year with photos, or null. */
  yearAfter(dir) {
    const k = this.years.findIndex((y) => y.year === this.year) + dir;
    return k >= 0 && k < this.years.length ? this.years[k].year : null;
  }

  onKey(e) {
    if (!this.timeline) return false;
    switch (e.key) {
      case 'ArrowRight': case 'ArrowLeft': {
        const dir = e.key === 'ArrowRight' ? 1 : -1;
        const next = this.selected < 0 ? (dir > 0 ? 0 : this.entries.length - 1) : this.selected + dir;
        if (next < 0 || next >= this.entries.length) { // on into the next / previous year
          const y = this.yearAfter(dir);
          if (y !== null) this.showYear(y, dir > 0 ? 'first' : 'last').catch((e) => this.hold.fail(e));
          return true;
        }
        this.show(next).catch((e) => this.hold.fail(e));
        const [start] = span(this.entries[next].date, this.entries[next].precision);
        this.timeline.moveTo(start, { animation: false }); // scroll there, keep the zoom
        return true;
      }
      case 'PageDown': case 'PageUp': {
        const y = this.yearAfter(e.key === 'PageDown' ? 1 : -1);
        if (y !== null) this.showYear(y).catch((e) => this.hold.fail(e));
        return true;
      }
      case '+': case '=': this.timeline.zoomIn(0.5, { animation: false }); return true;
      case '-': this.timeline.zoomOut(0.5, { animation: false }); return true;
      default: return false;
    }
  }
}

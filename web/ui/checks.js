// checks.js — the consistency checks (GET /api/checks): likely wrong merges,
// one person twice in a photo, ages that contradict the dates, one name on two
// persons, prints scanned mirror-wise (text that reads mirrored); each with the faces concerned and the button that resolves it
// (split off, reject, merge). The checks only read; the buttons are the
// ordinary decisions of the person page.

import { api, urls } from './api.js';
import { h, clear, say, fail, plural } from './dom.js';
import { refreshPersons } from './shared.js';

const TITLES = {
  spread: 'Likely wrong merges',
  twice_in_photo: 'One person twice in a photo',
  age_vs_date: 'Ages that contradict the dates',
  same_name: 'One name on two persons',
  mirrored: 'Prints scanned mirror-wise',
};

function faceCrop(f) {
  return h('a', { href: `#/photo/${f.photo_id}/${f.id}`, title: `face ${f.id}` },
    h('img', { class: 'crop small', src: urls.crop(f.photo_id, f.face_no), alt: `face ${f.id}`, loading: 'lazy' }));
}

export class ChecksPage {
  constructor(root) {
    this.root = root;
    this.info = h('p', { class: 'muted' }, 'Checking…');
    this.body = h('div', { class: 'checks' });
    clear(root, h('section', { class: 'checks-page', 'aria-label': 'Checks' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Checks')), this.info, this.body));
    this.load();
  }

  async act(what, fn) {
    try {
      await fn();
      say(what);
      refreshPersons();
      this.load();
    } catch (e) { fail(e); }
  }

  item(c) {
    if (c.kind === 'mirrored') {
      return h('li', { class: `check ${c.kind}` }, h('p', {}, c.text),
        h('div', { class: 'toolbar' }, h('a', { class: 'button', href: `#/photo/${c.photo_id}` }, 'Open the photo'),
          h('button', { type: 'button', class: 'accept', 'aria-label': `Flip photo ${c.photo_id} left-right`,
            onclick: () => this.act('Photo flipped; its faces and text are being read again.', () => api.flip(c.photo_id)) },
          'Flip left-right')));
    }
    const buttons = [h('a', { class: 'button', href: `#/person/${c.person_id}` }, `Open person ${c.person_id}`)];
    if (c.action === 'split' && c.faces.length) {
      buttons.push(h('button', { type: 'button', 'aria-label': `Split ${plural(c.faces.length, 'face')} off person ${c.person_id}`,
        onclick: () => this.act(`Split ${plural(c.faces.length, 'face')} into a new person.`, () => api.split(c.faces.map((f) => f.id))) },
      `Split these ${c.faces.length} off`));
    } else if (c.action === 'reject') {
      for (const f of c.faces) {
        buttons.push(h('button', { type: 'button', class: 'reject', 'aria-label': `Reject face ${f.id} from person ${c.person_id}`,
          onclick: () => this.act(`Face ${f.id} rejected.`, () => api.reject(f.id)) }, `Reject face ${f.id}`));
      }
    } else if (c.action === 'merge' && c.other_person_id) {
      buttons.push(h('a', { class: 'button', href: `#/person/${c.other_person_id}` }, `Open person ${c.other_person_id}`));
      buttons.push(h('button', { type: 'button', class: 'accept', 'aria-label': `Merge person ${c.other_person_id} into person ${c.person_id}`,
        onclick: () => this.act(`Person ${c.other_person_id} merged into person ${c.person_id}.`, () => api.merge(c.person_id, [c.other_person_id])) },
      'Merge them'));
    }
    return h('li', { class: `check ${c.kind}` },
      h('p', {}, c.text),
      c.faces.length ? h('div', { class: 'check-faces' }, ...c.faces.slice(0, 24).map(faceCrop),
        c.faces.length > 24 ? h('span', { class: 'muted' }, ` and ${c.faces.length - 24} more`) : null) : null,
      h('div', { class: 'toolbar' }, ...buttons));
  }

  async load() {
    try {
      const r = await api.checks();
      this.info.textContent = `${plural(r.persons, 'person', 'people')} (${plural(r.faces, 'face')}) checked: ` +
        `${plural(r.checks.length, 'finding')}.`;
      const parts = [];
      for (const kind of Object.keys(TITLES)) {
        const list = r.checks.filter((c) => c.kind === kind);
        if (!list.length) continue;
        parts.push(h('h2', {}, `${TITLES[kind]} (${list.length})`),
          h('ol', { class: 'check-list', 'aria-label': TITLES[kind] }, ...list.map((c) => this.item(c))));
      }
      if (r.birth_years.length) {
        parts.push(h('h2', {}, 'Estimated birth years'),
          h('ul', { class: 'birth-years' }, ...r.birth_years.map((b) => h('li', {},
            h('a', { href: `#/person/${b.person_id}` }, `Person ${b.person_id}`),
            `: born about ${b.year} (${b.low}–${b.high}, from ${plural(b.dated_faces, 'dated face')})`))));
      }
      clear(this.body, ...(parts.length ? parts : [h('p', {}, 'Nothing looks wrong.')]));
    } catch (e) { fail(e); }
  }
}

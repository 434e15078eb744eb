// search.js — search by name: the persons whose name contains the text and the
// photos they appear in (GET /api/search).

import { api } from './api.js';
import { h, clear, fail, plural } from './dom.js';
import { personCard } from './people.js';

export class SearchPage {
  constructor(root, q) {
    this.root = root;
    this.heading = h('h1', {});
    this.persons = h('ol', { class: 'person-grid', 'aria-label': 'People found' });
    this.photos = h('ol', { class: 'photo-results', 'aria-label': 'Photos found' });
    this.personsHead = h('h2', {}, 'People');
    this.photosHead = h('h2', {}, 'Photos');
    clear(root, h('section', { class: 'search', 'aria-label': 'Search results' },
      this.heading, this.personsHead, this.persons, this.photosHead, this.photos));
    this.load(q);
  }

  async load(q) {
    this.heading.textContent = `Search: “${q}”`;
    if (!q.trim()) return;
    try {
      const r = await api.search(q);
      this.personsHead.textContent = `People (${r.persons.length})`;
      this.photosHead.textContent = `Photos (${r.photos.length})`;
      clear(this.persons, r.persons.length ? r.persons.map(personCard) : h('li', { class: 'muted' }, 'Nobody by that name.'));
      clear(this.photos, r.photos.length ? r.photos.map((p) => h('li', {},
        h('a', { href: `#/photo/${p.photo_id}` }, (p.frame_of && p.title) || p.file || p.photo_id),
        p.caption ? h('span', { class: 'cap' }, ` — ${p.caption}`) : null,
        typeof p.faces === 'number' ? h('span', { class: 'muted' }, ` (${plural(p.faces, 'face')})`) : null))
        : h('li', { class: 'muted' }, 'No photos.'));
    } catch (e) { fail(e); }
  }
}

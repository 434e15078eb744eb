// suggestions.js — the names `facetag annotate` suggests from the archive's
// own words, with their evidence (which caption, album or folder said it) and
// one click to accept or reject each (POST /api/suggestions). Accepting names
// the person (or the face); a rejected name never comes back. Two places: the
// Names page (#/names: the queue of open suggestions of unnamed persons and of
// faces of nobody) and the person page (every suggestion of that person).

import { api, urls } from './api.js';
import { h, clear, say, fail, plural } from './dom.js';
import { refreshPersons } from './shared.js';

const SOURCES = { caption: 'caption', album: 'album text', folder: 'folder name', xmp: 'XMP', json: 'JSON sidecar' };

/* The owner of a suggestion as words: "Person 17" or "face 31". */
function ownerLabel(s) {
  return s.person_id ? (s.person_name || `Person ${s.person_id}`) : `face ${s.face_id}`;
}

function evidenceList(s) {
  if (!s.evidence.length) return h('p', { class: 'muted' }, 'No evidence kept.');
  return h('ul', { class: 'evidence', 'aria-label': `Evidence for ${s.label}` },
    ...s.evidence.map((ev) => h('li', {},
      h('span', { class: 'ev-source' }, SOURCES[ev.source] || ev.source || 'text'),
      ev.photo_id ? h('a', { href: `#/photo/${ev.photo_id}`, class: 'ev-photo' }, 'photo') : null,
      h('q', { class: 'ev-text' }, ev.text || ''))),
    s.evidence_total > s.evidence.length
      ? h('li', { class: 'muted' }, `and ${s.evidence_total - s.evidence.length} more`) : null);
}

/* One suggestion: name, confidence, source, evidence, and its two buttons
   (for an open one; a decided one shows its status). after() runs once decided. */
export function suggestionItem(s, after) {
  const decide = async (decision) => {
    try {
      const body = { label: s.label, decision };
      if (s.person_id) body.person_id = s.person_id; else body.face_id = s.face_id;
      await api.decideSuggestion(body);
      say(`${decision === 'accept' ? 'Accepted' : 'Rejected'} “${s.label}” for ${ownerLabel(s)}.`);
      refreshPersons();
      if (after) after();
    } catch (e) { fail(e); }
  };
  const open = s.status === 'open';
  return h('li', { class: `suggestion ${s.status}`, dataset: { label: s.label } },
    s.photo_id ? h('a', { href: s.person_id ? `#/person/${s.person_id}` : `#/photo/${s.photo_id}/${s.face_id}` },
      h('img', { class: 'crop small', src: urls.crop(s.photo_id, s.face_no), alt: ownerLabel(s), loading: 'lazy' })) : null,
    h('div', { class: 'sug-body' },
      h('p', { class: 'sug-head' },
        h('strong', { class: 'sug-label' }, s.label),
        ` for ${ownerLabel(s)}`, s.person_id ? ` (${plural(s.faces, 'face')})` : '',
        h('span', { class: 'muted' }, ` · confidence ${Math.round(s.confidence * 100)} % · ${s.source}`),
        open ? null : h('span', { class: 'sug-status' }, ` · ${s.status}`)),
      evidenceList(s),
      open ? h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'accept', 'aria-label': `Accept ${s.label} for ${ownerLabel(s)}`,
          onclick: () => decide('accept') }, 'Accept'),
        h('button', { type: 'button', class: 'reject', 'aria-label': `Reject ${s.label} for ${ownerLabel(s)}`,
          onclick: () => decide('reject') }, 'Reject')) : null));
}

/* The person page's section: every suggestion of person id, or nothing. */
export class PersonSuggestions {
  constructor(id, onDecided) {
    this.id = id;
    this.onDecided = onDecided;
    this.el = h('section', { class: 'person-suggestions', 'aria-label': 'Suggested names', hidden: true });
    this.loads = 0; // only the latest load shows its answer (a decision's reload may overtake an earlier one)
  }

  async load() {
    const turn = ++this.loads;
    try {
      const r = await api.suggestions({ person: this.id });
      if (turn !== this.loads) return;
      this.el.hidden = !r.suggestions.length;
      clear(this.el, h('h2', {}, 'Suggested names'),
        h('ol', { class: 'suggestion-list' }, ...r.suggestions.map((s) => suggestionItem(s, () => this.onDecided()))));
    } catch (e) { if (turn === this.loads) fail(e); }
  }
}

/* #/names: the queue of open suggestions. */
export class NamesPage {
  constructor(root) {
    this.root = root;
    this.info = h('p', { class: 'muted' }, 'Loading…');
    this.list = h('ol', { class: 'suggestion-list', 'aria-label': 'Suggested names' });
    clear(root, h('section', { class: 'names-page', 'aria-label': 'Suggested names' },
      h('div', { class: 'page-head' }, h('h1', {}, 'Suggested names')),
      h('p', { class: 'muted' }, 'Names the archive’s captions, albums and folders suggest, with what they said. ' +
        'Accept names the person; a rejected name is never suggested again.'),
      this.info, this.list));
    this.loads = 0; // only the latest load shows its answer (decisions in a row reload it in a row)
    this.load();
  }

  async load() {
    const turn = ++this.loads;
    try {
      const r = await api.suggestions({});
      if (turn !== this.loads) return;
      const owners = new Set(r.suggestions.map((s) => (s.person_id ? `p${s.person_id}` : `f${s.face_id}`)));
      this.info.textContent = r.suggestions.length
        ? `${plural(r.suggestions.length, 'suggestion')} for ${plural(owners.size, 'person or face', 'persons and faces')}.`
        : 'No open suggestions: run facetag annotate, or everything is decided.';
      clear(this.list, ...r.suggestions.map((s) => suggestionItem(s, () => this.load())));
    } catch (e) { if (turn === this.loads) fail(e); }
  }
}

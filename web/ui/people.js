// people.js — the people gallery (one crop per person, unnamed and biggest
// first, as the server orders them) and a person's page: rename, hide, merge
// with another person, and every face with multi-select to confirm, reject,
// move to another person or split off into a new one.

import { api, urls } from './api.js';
import { h, clear, say, fail, personLabel, plural } from './dom.js';
import { persons, refreshPersons, resolvePerson, optionLabel } from './shared.js';
import { PersonSuggestions } from './suggestions.js';

/* personCard(p) — a link to the person's page with its cover crop and counts. */
export function personCard(p) {
  const label = personLabel(p);
  return h('li', { class: `person-card${p.hidden ? ' hidden-person' : ''}` },
    h('a', { href: `#/person/${p.person_id}`, 'aria-label': `${label}: ${plural(p.faces, 'face')} in ${plural(p.photos, 'photo')}` },
      p.cover ? h('img', { class: 'crop', src: urls.crop(p.cover.photo_id, p.cover.face_no), alt: '', loading: 'lazy' })
        : h('div', { class: 'crop none' }, '?'),
      h('span', { class: p.name ? 'name' : 'name unnamed' }, label),
      h('span', { class: 'muted' }, `${plural(p.faces, 'face')} · ${plural(p.photos, 'photo')}`),
      p.hidden ? h('span', { class: 'badge' }, 'hidden') : null));
}

export class PeoplePage {
  constructor(root, { q = '', hidden = false } = {}) {
    this.root = root;
    this.filter = h('input', { id: 'people-filter', type: 'search', value: q, autocomplete: 'off', placeholder: 'Part of a name' });
    this.hiddenBox = h('input', { id: 'people-hidden', type: 'checkbox' });
    this.hiddenBox.checked = hidden;
    this.info = h('p', { class: 'muted' });
    this.grid = h('ol', { class: 'person-grid', 'aria-label': 'People' });
    this.loads = 0; // only the latest load shows its answer (a filter typed on while one was out)
    let timer = 0;
    this.filter.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => this.load(), 200); });
    this.hiddenBox.addEventListener('change', () => this.load());
    clear(root, h('section', { class: 'people', 'aria-label': 'People' },
      h('div', { class: 'page-head' }, h('h1', {}, 'People'),
        h('label', { for: 'people-filter' }, 'Filter by name'), this.filter,
        h('label', { class: 'check' }, this.hiddenBox, ' Show hidden people too')),
      this.info, this.grid));
    this.load();
  }

  async load() {
    const turn = ++this.loads;
    try {
      const q = this.filter.value.trim();
      // hidden=1 lists only the hidden persons: shown after the visible ones
      const list = await api.persons({ hidden: false, q });
      if (this.hiddenBox.checked) list.push(...(await api.persons({ hidden: true, q })));
      if (turn !== this.loads) return;
      const unnamed = list.filter((p) => !p.name).length;
      this.info.textContent = `${plural(list.length, 'person', 'people')}, ${unnamed} unnamed`;
      clear(this.grid, list.map(personCard));
    } catch (e) { if (turn === this.loads) fail(e); }
  }

  onKey(e) {
    if (e.key === 'f') { this.filter.focus(); return true; }
    return false;
  }
}

export class PersonPage {
  constructor(root, id) {
    this.root = root;
    this.id = id;
    this.person = null;
    this.selected = new Set();
    this.lastClicked = -1;
    this.cursor = 0;
    this.loads = 0; // only the latest load shows its answer (a decision's reload may overtake an earlier one)
    this.build();
    this.load();
  }

  build() {
    this.heading = h('h1', {});
    this.counts = h('p', { class: 'muted' });
    this.nameInput = h('input', { id: 'person-name', type: 'text', list: 'person-names', autocomplete: 'off', placeholder: 'Name' });
    this.hideBtn = h('button', { type: 'button', onclick: () => this.toggleHidden() });
    const rename = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); this.rename(); } },
      h('label', { for: 'person-name' }, 'Name'), this.nameInput,
      h('button', { type: 'submit', 'aria-label': 'Save name' }, 'Rename'));
    this.mergeInput = h('input', { id: 'merge-with', type: 'text', list: 'person-options', autocomplete: 'off', placeholder: 'Person to merge in' });
    const merge = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); this.merge(); } },
      h('label', { for: 'merge-with' }, 'Merge with'), this.mergeInput,
      h('button', { type: 'submit', 'aria-label': 'Merge that person into this one' }, 'Merge'));

    this.selInfo = h('span', { class: 'sel-info', 'aria-live': 'polite' }, 'No face selected');
    this.moveInput = h('input', { id: 'move-to', type: 'text', list: 'person-options', autocomplete: 'off', placeholder: 'Person or new name' });
    this.actions = h('div', { class: 'toolbar selection', role: 'group', 'aria-label': 'Selected faces' },
      this.selInfo,
      h('button', { type: 'button', onclick: () => this.selectAll(true) }, 'Select all'),
      h('button', { type: 'button', onclick: () => this.selectAll(false) }, 'Clear selection'),
      h('button', { type: 'button', class: 'accept', 'aria-label': 'Confirm selected faces', onclick: () => this.confirm() }, 'Confirm'),
      h('button', { type: 'button', class: 'reject', 'aria-label': 'Reject selected faces', onclick: () => this.reject() }, 'Reject'),
      h('button', { type: 'button', 'aria-label': 'Split selected faces into a new person', onclick: () => this.split() }, 'Split off'),
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); this.move(); } },
        h('label', { for: 'move-to' }, 'Move to'), this.moveInput,
        h('button', { type: 'submit', 'aria-label': 'Move selected faces to that person' }, 'Move')));
    this.grid = h('ol', { class: 'face-grid', 'aria-label': 'Faces of this person' });
    /* the doubt: when the faces look like two people, the split the server
       would make (doubt.split_offer), one click to accept */
    this.offer = h('div', { class: 'split-offer', role: 'region', 'aria-label': 'Suggested split', hidden: true });
    this.names = new PersonSuggestions(this.id, () => this.load());
    clear(this.root, h('section', { class: 'person', 'aria-label': 'Person' },
      h('div', { class: 'page-head' }, h('a', { href: '#/people', class: 'back' }, '← People'), this.heading, this.counts),
      h('div', { class: 'toolbar' }, rename, merge, this.hideBtn),
      this.names.el, this.offer, this.actions, this.grid));
  }

  async load() {
    const turn = ++this.loads;
    this.names.load();
    let p;
    try {
      p = await api.person(this.id);
    } catch (e) {
      if (turn !== this.loads) return;
      fail(e);
      this.heading.textContent = `Person ${this.id}`;
      return;
    }
    if (turn !== this.loads) return;
    this.person = p;
    const live = new Set(p.faces.map((f) => f.face_id));
    for (const id of [...this.selected]) if (!live.has(id)) this.selected.delete(id);
    this.heading.textContent = personLabel(p);
    this.counts.textContent = `${plural(p.faces.length, 'face')} in ${plural(p.photos, 'photo')}${p.hidden ? ' · hidden' : ''}`;
    this.nameInput.value = p.name || '';
    this.hideBtn.textContent = p.hidden ? 'Show again' : 'Hide';
    this.hideBtn.setAttribute('aria-label', p.hidden ? 'Show this person again' : 'Hide this person');
    this.showOffer();
    this.render();
  }

  showOffer() {
    const ids = (this.person.doubt && this.person.doubt.split_offer) || [];
    this.offer.hidden = ids.length === 0;
    if (!ids.length) { clear(this.offer); return; }
    const d = this.person.doubt;
    clear(this.offer,
      h('p', {}, `These faces may be two people: ${plural(ids.length, 'face')} (outlined) lie ` +
        `${d.split_height.toFixed(2)} on average from the others, past the ${d.split_above.toFixed(2)} ` +
        'the clustering keeps one person within.'),
      h('button', { type: 'button', class: 'accept', 'aria-label': `Split the ${plural(ids.length, 'suggested face')} into a new person`,
        onclick: () => this.acceptOffer(ids) }, `Split ${plural(ids.length, 'face')} off`),
      h('button', { type: 'button', 'aria-label': 'Select the suggested faces', onclick: () => {
        this.selected = new Set(ids);
        this.showSelection();
      } }, 'Select them'),
      h('button', { type: 'button', class: 'keep', 'aria-label': 'Keep these faces as one person',
        onclick: () => this.keepOffer(ids) }, 'Keep as one'));
  }

  /* "Keep as one": a face of each group confirmed for this person. The offer
     is not made again (a person whose two groups both hold confirmed faces is
     one person by someone's decision), the check stops listing it, and every
     later clustering keeps the two groups together (confirmed faces of one
     person are never apart). */
  async keepOffer(ids) {
    const offered = new Set(ids);
    const pick = (inOffer) => this.person.faces.find((f) => offered.has(f.face_id) === inOffer && f.status === 'confirmed') ||
      this.person.faces.find((f) => offered.has(f.face_id) === inOffer && f.status !== 'rejected');
    const faces = [pick(true), pick(false)].filter((f) => f && f.status !== 'confirmed');
    try {
      for (const f of faces) await api.confirm(f.face_id, this.id);
      await this.done('Kept as one person: a face of each group confirmed.');
    } catch (e) { fail(e); await this.load(); }
  }

  async acceptOffer(ids) {
    try {
      const p = await api.split(ids);
      await this.done(`${plural(ids.length, 'face')} split off into ${personLabel(p)}.`);
    } catch (e) { fail(e); }
  }

  render() {
    const faces = this.person.faces;
    clear(this.grid, faces.map((f, i) => {
      const box = h('input', { type: 'checkbox', 'aria-label': `Select face ${f.face_no + 1} of photo ${f.photo_id}` });
      box.checked = this.selected.has(f.face_id);
      box.addEventListener('click', (e) => this.toggle(i, box.checked, e.shiftKey));
      const offered = this.person.doubt && this.person.doubt.split_offer.includes(f.face_id);
      const cls = `face-card ${f.status}${box.checked ? ' selected' : ''}${f.far ? ' far' : ''}${offered ? ' offered' : ''}`;
      return h('li', { class: cls, dataset: { faceId: String(f.face_id) },
        title: f.far ? `far from this person's other faces (${f.centre_distance.toFixed(2)} from their centre)` : undefined },
        h('label', {}, box, h('img', { class: 'crop', src: urls.crop(f.photo_id, f.face_no), alt: `Face ${f.face_no + 1} of photo ${f.photo_id}`, loading: 'lazy' })),
        h('span', { class: `badge ${f.status}` }, f.status),
        f.far ? h('span', { class: 'badge far', 'aria-label': 'Far from the centre of this person' }, 'far') : null,
        h('a', { href: `#/photo/${f.photo_id}/${f.face_id}`, 'aria-label': `Open the photo of face ${f.face_no + 1}` }, 'photo'));
    }));
    this.showSelection();
  }

  showSelection() {
    for (const li of this.grid.children) {
      const on = this.selected.has(Number(li.dataset.faceId));
      li.classList.toggle('selected', on);
      li.querySelector('input[type=checkbox]').checked = on;
    }
    const n = this.selected.size;
    this.selInfo.textContent = n ? `${plural(n, 'face')} selected` : 'No face selected';
  }

  /* toggle(i, on, range) — checkbox i set to on; with shift, every face from the
     last one clicked to i too. */
  toggle(i, on, range) {
    const faces = this.person.faces;
    const from = range && this.lastClicked >= 0 ? Math.min(this.lastClicked, i) : i;
    const to = range && this.lastClicked >= 0 ? Math.max(this.lastClicked, i) : i;
    for (let k = from; k <= to; k++) {
      if (on) this.selected.add(faces[k].face_id); else this.selected.delete(faces[k].face_id);
    }
    this.lastClicked = i;
    this.cursor = i;
    this.showSelection();
  }

  selectAll(on) {
    this.selected = on ? new Set(this.person.faces.map((f) => f.face_id)) : new Set();
    this.showSelection();
  }

  chosen() {
    const ids = this.person.faces.filter((f) => this.selected.has(f.face_id)).map((f) => f.face_id);
    if (!ids.length) fail('Select faces first (click their checkboxes; shift-click selects a range).');
    return ids;
  }

  async done(msg) {
    say(msg);
    this.selected.clear();
    await Promise.all([this.load(), refreshPersons()]);
  }

  async rename() {
    const name = this.nameInput.value.trim();
    try {
      await api.rename(this.id, name || null);
      await this.done(name ? `Renamed to ${name}.` : 'Name removed.');
    } catch (e) { fail(e); }
  }

  async toggleHidden() {
    try {
      await api.hide(this.id, !this.person.hidden);
      await this.done(this.person.hidden ? 'Shown again.' : 'Hidden.');
    } catch (e) { fail(e); }
  }

  async merge() {
    const r = resolvePerson(this.mergeInput.value);
    if (!r || !r.person_id) { fail(`No person "${this.mergeInput.value.trim()}": pick one from the list.`); return; }
    if (r.person_id === this.id) { fail('A person cannot be merged with itself.'); return; }
    const other = persons.find((p) => p.person_id === r.person_id);
    try {
      await api.merge(this.id, [r.person_id]);
      this.mergeInput.value = '';
      await this.done(`Merged ${other ? optionLabel(other) : `#${r.person_id}`} into this person.`);
    } catch (e) { fail(e); }
  }

  async confirm() {
    const ids = this.chosen();
    if (!ids.length) return;
    try {
      for (const id of ids) await api.confirm(id, this.id);
      await this.done(`${plural(ids.length, 'face')} confirmed.`);
    } catch (e) { fail(e); await this.load(); }
  }

  async reject() {
    const ids = this.chosen();
    if (!ids.length) return;
    try {
      for (const id of ids) await api.reject(id);
      await this.done(`${plural(ids.length, 'face')} rejected.`);
    } catch (e) { fail(e); await this.load(); }
  }

  async split() {
    const ids = this.chosen();
    if (!ids.length) return;
    try {
      const p = await api.split(ids);
      await this.done(`${plural(ids.length, 'face')} split off into ${personLabel(p)}.`);
    } catch (e) { fail(e); }
  }

  /* move: to an existing person, or (a name nobody has) split off and name. */
  async move() {
    const ids = this.chosen();
    if (!ids.length) return;
    const r = resolvePerson(this.moveInput.value);
    if (!r) { fail('Say where to: pick a person from the list or type a new name.'); return; }
    try {
      let target;
      if (r.person_id) {
        target = await api.moveFaces(r.person_id, ids);
      } else {
        const p = await api.split(ids);
        target = await api.rename(p.person_id, r.name);
      }
      this.moveInput.value = '';
      await this.done(`${plural(ids.length, 'face')} moved to ${personLabel(target)}.`);
    } catch (e) { fail(e); }
  }

  /* keys: j/k move the cursor over the faces, x (or space) selects. */
  onKey(e) {
    const cards = this.grid.querySelectorAll('input[type=checkbox]');
    if (!cards.length) return false;
    if (e.key === 'j' || e.key === 'k') {
      this.cursor = Math.max(0, Math.min(cards.length - 1, this.cursor + (e.key === 'j' ? 1 : -1)));
      cards[this.cursor].focus();
      return true;
    }
    if (e.key === 'x') { cards[this.cursor].click(); return true; }
    if (e.key === 'r') { this.reject(); return true; }
    if (e.key === 'a') { this.confirm(); return true; }
    return false;
  }
}


// review.js — the review page: the queue of photos with faces to review (or all
// photos), the photo viewer, and the panel of the selected face where it is
// named, accepted or rejected. Made for the keyboard: j/k move through faces
// (and on to the next photo), a accepts, r rejects, n names, d draws a box.

import { api, urls } from './api.js';
import { h, clear, say, fail, faceLabel, plural } from './dom.js';
import { photoTextPanel } from './phototext.js';
import { PhotoViewer } from './viewer.js';
import { sheetNote } from './sheetframes.js';
import { refreshPersons, openDialog } from './shared.js';
import { trackNote } from './frames.js';

const PAGE = 200; // photos per request of the list

export class ReviewPage {
  /* mode 'queue' (GET /pending) or 'all' (GET /api/photos); photoId/faceId
     from the address (#/photo/ID[/FACE]) or null for the first in the list. */
  constructor(root, { photoId = null, faceId = null, mode = 'queue' } = {}) {
    this.root = root;
    this.mode = mode;
    this.want = { photoId, faceId };
    this.list = [];
    this.photo = null;
    this.face = null;
    /* Answers arrive in any order, and after the reader has gone elsewhere:
       only the latest list and the latest photo asked for are shown (listed,
       shown count the requests; the list's first photo is opened only when
       no photo was asked for while the list loaded), and a photo only while
       the address is still this page's (address: the one it was opened or
       routed for, or that it set itself). So a late answer never rewrites an
       address another navigation has set: the hashchange event that follows
       such a navigation reads location.hash. */
    this.listed = 0;
    this.shown = 0;
    this.address = location.hash;
    this.build();
  }

  /* current() — whether the address is still the one this page answers for. */
  current() {
    return location.hash === this.address;
  }

  build() {
    this.listEl = h('ol', { class: 'photo-list', 'aria-label': 'Photos' });
    this.tabQueue = h('button', { type: 'button', class: 'tab', 'aria-label': 'Photos to review', onclick: () => this.setMode('queue') }, 'To review');
    this.tabAll = h('button', { type: 'button', class: 'tab', 'aria-label': 'All photos', onclick: () => this.setMode('all') }, 'All photos');
    this.listInfo = h('p', { class: 'muted list-info' });
    const queue = h('aside', { class: 'queue', 'aria-label': 'Photo list' },
      h('div', { class: 'tabs', role: 'group', 'aria-label': 'Which photos' }, this.tabQueue, this.tabAll),
      this.listInfo, this.listEl);

    this.title = h('h1', { class: 'photo-title' });
    this.caption = h('p', { class: 'caption' });
    this.drawBtn = h('button', { type: 'button', 'aria-pressed': 'false', 'aria-label': 'Draw a box for a missed face (d)', title: 'Draw a box for a missed face (d)', onclick: () => this.toggleDraw() }, 'Draw box');
    const bar = h('div', { class: 'toolbar' },
      h('button', { type: 'button', 'aria-label': 'Previous photo ([)', title: 'Previous photo ([)', onclick: () => this.step(-1) }, '◀ Photo'),
      h('button', { type: 'button', 'aria-label': 'Next photo (])', title: 'Next photo (])', onclick: () => this.step(1) }, 'Photo ▶'),
      this.drawBtn,
      h('span', { class: 'muted hint' }, 'j/k faces · a accept · r reject · n name · ? help'));
    this.viewerEl = h('div', { class: 'viewer-area' });
    this.viewer = new PhotoViewer(this.viewerEl, {
      onSelect: (f) => { this.selectFace(f); this.nameInput.focus(); this.nameInput.select(); },
      onDraw: (box) => this.addFace(box),
    });
    this.textEl = h('div', { class: 'photo-text-area' });
    const centre = h('section', { class: 'viewer', 'aria-label': 'Photo' }, h('div', { class: 'photo-head' }, this.title, this.caption), bar, this.viewerEl, this.textEl);

    this.panel = h('aside', { class: 'face-panel', 'aria-label': 'Selected face' });
    this.buildPanel();
    clear(this.root, h('div', { class: 'review-layout' }, queue, centre, this.panel));
    this.load();
  }

  buildPanel() {
    this.cropImg = h('img', { class: 'crop big', alt: '' });
    this.faceHead = h('h2', {});
    this.faceStatus = h('p', { class: 'face-status' });
    this.personLink = h('a', { href: '#/people' });
    this.suggestEl = h('div', { class: 'suggestions', role: 'group', 'aria-label': 'Suggested persons' });
    this.nameInput = h('input', { id: 'face-name', type: 'text', list: 'person-names', autocomplete: 'off', spellcheck: 'false', placeholder: 'Name of this person' });
    this.acceptBtn = h('button', { type: 'submit', class: 'accept', 'aria-label': 'Accept (a)', title: 'Accept: confirm the face as this person (a)' }, 'Accept');
    this.rejectBtn = h('button', { type: 'button', class: 'reject', 'aria-label': 'Reject (r)', title: 'Reject: not this person (r)', onclick: () => this.reject() }, 'Reject');
    this.form = h('form', { class: 'name-form', onsubmit: (e) => { e.preventDefault(); this.accept(); } },
      h('label', { for: 'face-name' }, 'Name'), this.nameInput,
      h('div', { class: 'buttons' }, this.acceptBtn, this.rejectBtn));
    this.nameInput.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); this.nameInput.blur(); }
    });
    this.faceList = h('ol', { class: 'face-list', 'aria-label': 'Faces of this photo' });
    this.detail = h('div', { class: 'face-detail' },
      this.cropImg, this.faceHead, this.faceStatus, h('p', {}, 'Person: ', this.personLink),
      this.suggestEl, this.form);
    this.empty = h('p', { class: 'muted' }, 'No face selected.');
    clear(this.panel, this.empty, this.detail, h('h2', {}, 'Faces'), this.faceList);
    this.detail.hidden = true;
  }

  async setMode(mode) {
    this.mode = mode;
    this.want = { photoId: this.photo ? this.photo.photo_id : null, faceId: null };
    await this.loadList();
  }

  async load() {
    await this.loadList();
  }

  /* fetchPage(offset) → {rows, more, total}: PAGE photos of the list from offset. */
  async fetchPage(offset) {
    if (this.mode === 'queue') {
      const rows = await api.pending(PAGE, offset);
      return { rows, more: rows.length === PAGE, total: this.total };
    }
    const r = await api.photos(PAGE, offset);
    return { rows: r.photos, more: offset + r.photos.length < r.total, total: r.total };
  }

  showCount() {
    const n = this.list.length;
    if (this.mode === 'queue') {
      this.listInfo.textContent = n ? `${plural(n, 'photo')}${this.more ? ' (and more)' : ''} with faces to review`
        : 'Nothing to review: every face is confirmed or rejected.';
    } else {
      this.listInfo.textContent = plural(this.total || 0, 'photo');
    }
  }

  async loadList() {
    this.tabQueue.setAttribute('aria-pressed', String(this.mode === 'queue'));
    this.tabAll.setAttribute('aria-pressed', String(this.mode === 'all'));
    const turn = ++this.listed, asked = this.shown;
    try {
      const { rows, more, total } = await this.fetchPage(0);
      if (turn !== this.listed) return;
      this.list = rows;
      this.more = more;
      this.total = total;
    } catch (e) {
      if (turn !== this.listed) return;
      fail(e);
      this.list = [];
      this.more = false;
    }
    this.showCount();
    this.renderList();
    if (this.shown !== asked) return; // a photo asked for meanwhile (the address, a key) is the one to show
    const id = this.want.photoId || (this.list[0] && this.list[0].photo_id);
    if (id) await this.openPhoto(id, this.want.faceId);
    else this.showNothing();
  }

  showNothing() {
    this.photo = null;
    this.title.textContent = 'No photo';
    this.caption.textContent = '';
    clear(this.viewerEl, h('p', { class: 'muted' }, this.mode === 'queue'
      ? 'No photo is waiting for review. See the people, or all photos.' : 'No photos in the catalog yet.'));
    this.showFace(null);
  }

  /* loadMore() — the next page of the list, appended. */
  async loadMore() {
    const turn = this.listed; // a list loaded meanwhile (another mode) makes this page moot
    try {
      const { rows, more, total } = await this.fetchPage(this.list.length);
      if (turn !== this.listed) return;
      this.total = total;
      const known = new Set(this.list.map((p) => p.photo_id));
      this.list.push(...rows.filter((p) => !known.has(p.photo_id)));
      this.more = more && rows.length > 0;
    } catch (e) {
      if (turn !== this.listed) return;
      fail(e);
    }
    this.showCount();
    this.renderList();
  }

  renderList() {
    const moreBtn = this.more ? h('li', {}, h('button', { type: 'button', class: 'more', onclick: () => this.loadMore() }, 'Show more photos')) : null;
    clear(this.listEl, this.list.map((p) => {
      const cur = this.photo && this.photo.photo_id === p.photo_id;
      const counts = this.mode === 'queue'
        ? `${p.unreviewed} of ${plural(p.faces, 'face')} to review`
        : plural(typeof p.faces === 'number' ? p.faces : (p.faces || []).length, 'face');
      return h('li', {},
        h('a', { href: `#/photo/${p.photo_id}`, class: cur ? 'current' : '', 'aria-current': cur ? 'true' : null, dataset: { photoId: p.photo_id } },
          h('span', { class: 'file' }, p.title || baseName(p.file) || p.photo_id),
          p.caption ? h('span', { class: 'cap' }, p.caption) : null,
          h('span', { class: 'muted count' }, counts)));
    }), moreBtn);
  }

  /* route(photoId, faceId) — the address changed to another photo of this page. */
  async route(photoId, faceId) {
    this.address = location.hash;
    if (this.photo && this.photo.photo_id === photoId) {
      const f = faceId && this.photo.faces.find((x) => x.face_id === faceId);
      if (f) this.selectFace(f);
      return;
    }
    await this.openPhoto(photoId, faceId);
  }

  /* openPhoto(id, faceId) → true when the photo is shown; false when its
     answer came too late (a later photo asked for, or the address moved on)
     or the call failed (said in the status line). */
  async openPhoto(id, faceId = null) {
    const turn = ++this.shown;
    let photo;
    try {
      photo = await api.photo(id);
    } catch (e) {
      if (turn === this.shown && this.current()) fail(e);
      return false;
    }
    if (turn !== this.shown || !this.current()) return false;
    this.photo = photo;
    this.title.textContent = photo.title || baseName(photo.file) || photo.photo_id;
    this.title.title = photo.file || (photo.frame_of && photo.frame_of.file) || '';
    this.caption.textContent = [photo.caption, photo.timestamp].filter(Boolean).join(' · ');
    const sheet = sheetNote(photo); // a frame of a contact sheet, or a sheet
    if (sheet) this.caption.append(this.caption.textContent ? ' · ' : '', sheet);
    this.viewer.show(photo);
    clear(this.textEl, photoTextPanel(photo, () => this.openPhoto(id)));
    for (const a of this.listEl.querySelectorAll('a')) {
      const cur = a.dataset.photoId === id;
      a.classList.toggle('current', cur);
      if (cur) { a.setAttribute('aria-current', 'true'); a.scrollIntoView({ block: 'nearest' }); } else a.removeAttribute('aria-current');
    }
    const want = `#/photo/${id}`;
    if (!location.hash.startsWith(want)) {
      history.replaceState(null, '', want);
      this.address = location.hash;
    }
    const faces = photo.faces || [];
    const f = (faceId && faces.find((x) => x.face_id === faceId)) || faces.find((x) => x.status === 'unreviewed') || faces[0] || null;
    this.selectFace(f);
    return true;
  }

  selectFace(f) {
    this.face = f;
    this.viewer.select(f ? f.face_id : null);
    this.showFace(f);
  }

  showFace(f) {
    this.renderFaceList();
    this.detail.hidden = !f;
    this.empty.hidden = !!f;
    if (!f) return;
    const p = this.photo;
    this.cropImg.src = urls.crop(p.photo_id, f.face_no);
    this.cropImg.alt = `Face ${f.face_no + 1} of this photo`;
    this.faceHead.textContent = `Face ${f.face_no + 1} of ${p.faces.length}`;
    const bits = [f.status];
    if (f.source === 'manual') bits.push('drawn by hand');
    if (typeof f.age === 'number') bits.push(`age ~${Math.round(f.age)}`);
    if (f.gender) bits.push(f.gender);
    if (f.expression) bits.push(f.expression);
    this.faceStatus.textContent = bits.join(' · ');
    this.faceStatus.className = `face-status ${f.status}`;
    this.personLink.textContent = faceLabel(f);
    this.personLink.href = f.person_id ? `#/person/${f.person_id}` : '#/people';
    this.nameInput.value = f.person_name || '';
    const sug = (f.suggestions || []).filter((s) => s.name);
    this.nameInput.placeholder = sug.length ? `e.g. ${sug[0].name}` : 'Name of this person';
    clear(this.suggestEl, sug.length ? h('span', { class: 'muted' }, 'Suggested: ') : null,
      sug.map((s) => h('button', {
        type: 'button', class: 'suggestion',
        'aria-label': `Accept as ${s.name} (distance ${Number(s.distance).toFixed(2)})`,
        title: `distance ${Number(s.distance).toFixed(2)}`,
        onclick: () => { this.nameInput.value = s.name; this.accept(); },
      }, s.name)));
  }

  renderFaceList() {
    const p = this.photo;
    if (!p) { clear(this.faceList); return; }
    clear(this.faceList, p.faces.map((f) => h('li', {},
      h('button', {
        type: 'button', class: `face-chip ${f.status}${this.face && this.face.face_id === f.face_id ? ' selected' : ''}`,
        'aria-label': `Select face ${f.face_no + 1}: ${faceLabel(f)}, ${f.status}`,
        onclick: () => this.selectFace(f),
      }, h('img', { class: 'crop small', src: urls.crop(p.photo_id, f.face_no), alt: '' }),
      h('span', {}, faceLabel(f)), h('span', { class: `badge ${f.status}` }, f.status),
      trackNote(f) ? h('span', { class: 'muted track' }, trackNote(f)) : null))));
  }

  /* the face after a decision: replace it in the photo, redraw, move on. */
  applied(face, verb) {
    const faces = this.photo.faces;
    const i = faces.findIndex((x) => x.face_id === face.face_id);
    if (i >= 0) faces[i] = face; else faces.push(face);
    this.viewer.show(this.photo);
    const item = this.list.find((x) => x.photo_id === this.photo.photo_id);
    if (item && this.mode === 'queue') {
      item.unreviewed = faces.filter((x) => x.status === 'unreviewed').length;
      this.renderList();
    }
    say(`Face ${face.face_no + 1} ${verb}.`);
    refreshPersons();
  }

  async accept() {
    const f = this.face;
    if (!f) return;
    let name = this.nameInput.value.trim();
    if (!name && !f.person_id) {
      const sug = (f.suggestions || []).find((s) => s.name);
      if (!sug) { fail('Type a name first (n), or reject the face (r).'); this.nameInput.focus(); return; }
      name = sug.name;
    }
    const label = name && name !== f.person_name ? name : null;
    try {
      const face = await api.annotate(this.photo.photo_id, f.face_id, label, true);
      this.nameInput.blur(); // the shortcuts work again after Enter
      this.applied(face, `accepted as ${faceLabel(face)}`);
      this.nextFace(1, true);
    } catch (e) { fail(e); }
  }

  async reject() {
    const f = this.face;
    if (!f) return;
    try {
      const face = await api.annotate(this.photo.photo_id, f.face_id, null, false);
      this.nameInput.blur();
      this.applied(face, 'rejected');
      this.nextFace(1, true);
    } catch (e) { fail(e); }
  }

  async addFace(box) {
    const name = await openDialog('new-face');
    if (name === null) { say('Box discarded.'); return; }
    try {
      const face = await api.addFace(this.photo.photo_id, box, name);
      this.photo.faces.push(face);
      this.viewer.show(this.photo);
      this.selectFace(face);
      this.setDrawing(false);
      say(`Face added${name ? ` as ${name}` : ''}.`);
      refreshPersons();
    } catch (e) { fail(e); }
  }

  toggleDraw() { this.setDrawing(!this.viewer.drawing); }

  setDrawing(on) {
    this.viewer.setDrawing(on);
    this.drawBtn.setAttribute('aria-pressed', String(!!on));
    this.drawBtn.classList.toggle('active', !!on);
    if (on) say('Drag on the photo to draw a box around the missed face (Esc cancels).');
  }

  /* nextFace(dir, unreviewedOnly) — the next (or previous) face; past the
     photo's last face, the next photo in the list. */
  nextFace(dir, unreviewedOnly = false) {
    if (!this.photo) return;
    const faces = this.photo.faces;
    let i = this.face ? faces.findIndex((x) => x.face_id === this.face.face_id) : -1;
    for (let k = 0; k < faces.length; k++) {
      i += dir;
      if (i < 0 || i >= faces.length) break;
      if (!unreviewedOnly || faces[i].status === 'unreviewed') { this.selectFace(faces[i]); return; }
    }
    if (unreviewedOnly) {
      const left = faces.find((x) => x.status === 'unreviewed');
      if (left) { this.selectFace(left); return; }
    }
    this.step(dir, dir < 0);
  }

  async step(dir, lastFace = false) {
    if (!this.list.length) return;
    const i = this.photo ? this.list.findIndex((x) => x.photo_id === this.photo.photo_id) : -1;
    const j = i + dir;
    if (j >= this.list.length && this.more) await this.loadMore();
    if (j < 0 || j >= this.list.length) { say(dir > 0 ? 'That was the last photo.' : 'This is the first photo.'); return; }
    const shown = await this.openPhoto(this.list[j].photo_id);
    if (shown && lastFace && this.photo.faces.length) this.selectFace(this.photo.faces[this.photo.faces.length - 1]);
  }

  /* keys of this page; true when handled. */
  onKey(e) {
    switch (e.key) {
      case 'j': case 'ArrowDown': this.nextFace(1); return true;
      case 'k': case 'ArrowUp': this.nextFace(-1); return true;
      case ']': case 'J': this.step(1); return true;
      case '[': case 'K': this.step(-1); return true;
      case 'a': this.accept(); return true;
      case 'r': this.reject(); return true;
      case 'n': if (this.face) { this.nameInput.focus(); this.nameInput.select(); } return true;
      case 'd': this.toggleDraw(); return true;
      case 'Escape': if (this.viewer.drawing) { this.setDrawing(false); return true; } return false;
      default: return false;
    }
  }
}

function baseName(path) {
  if (!path) return '';
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}


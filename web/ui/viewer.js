// viewer.js — one photo with its faces drawn over it. Boxes are buttons
// positioned in percent of the photo's size (photo.width × photo.height, the
// coordinate system of every box in the API), so they follow the image at any
// displayed size; their labels are ordinary text at a readable size. In draw
// mode a mouse drag on the photo makes a new box, handed back in photo pixels.

import { h, clear, faceLabel } from './dom.js';
import { urls } from './api.js';
import { sheetOutlines } from './sheetframes.js';

/* The working image of photo p; a flipped photo's has its own URL, so that a
   browser holding the image from before the flip (cached for an hour) does
   not show it under the new face boxes. */
function imageUrl(p) {
  return urls.image(p.photo_id, p.ocr && p.ocr.flipped ? 'flipped' : '');
}

const MIN_BOX_PX = 8; // smaller drags (in displayed pixels) are clicks, not boxes

export class PhotoViewer {
  /* root: the element to fill. onSelect(face) when a box is clicked;
     onDraw([x,y,w,h]) when a box has been drawn in draw mode. */
  constructor(root, { onSelect, onDraw }) {
    this.root = root;
    this.onSelect = onSelect;
    this.onDraw = onDraw;
    this.photo = null;
    this.selectedId = null;
    // the photo as large as the area allows (small scans are enlarged too)
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(root);
    this.drawing = false;
    this.drag = null;
  }

  show(photo) {
    // a flip changes the working image under the same id: its URL says which one
    const same = this.photo && this.photo.photo_id === photo.photo_id && this.src === imageUrl(photo);
    this.photo = photo;
    if (!same) this.build();
    this.renderBoxes();
  }

  build() {
    const p = this.photo;
    this.src = imageUrl(p);
    this.img = h('img', {
      class: 'photo',
      src: this.src,
      alt: p.caption ? `Photo: ${p.caption}` : `Photo ${p.file || p.photo_id}`,
      draggable: 'false',
    });
    this.img.addEventListener('error', () => this.root.classList.add('broken'));
    this.overlay = h('div', { class: 'overlay', role: 'group', 'aria-label': 'Faces on the photo' });
    this.draft = h('div', { class: 'draft', hidden: true });
    this.overlay.append(this.draft);
    this.stage = h('div', { class: 'stage' }, this.img, this.overlay);
    this.root.classList.remove('broken');
    this.dragCancel(); // a drag begun on the photo shown before ends with it
    clear(this.root, this.stage);
    this.overlay.addEventListener('pointerdown', (e) => this.dragStart(e));
    this.overlay.addEventListener('pointermove', (e) => this.dragMove(e));
    this.overlay.addEventListener('pointerup', (e) => this.dragEnd(e));
    this.overlay.addEventListener('pointercancel', () => this.dragCancel());
    this.setDrawing(this.drawing);
    this.fit();
  }

  fit() {
    if (!this.img || !this.photo || !this.photo.width || !this.photo.height) return;
    const ar = this.photo.width / this.photo.height;
    const w = Math.max(50, Math.min(this.root.clientWidth, this.root.clientHeight * ar));
    this.img.style.width = `${Math.floor(w)}px`;
    this.img.style.height = `${Math.floor(w / ar)}px`;
  }

  renderBoxes() {
    const p = this.photo;
    for (const b of this.overlay.querySelectorAll('.face-box, .sheet-frames')) b.remove();
    const frames = sheetOutlines(p); // a contact sheet: its frames, each a link to the frame's photo
    if (frames) this.overlay.insertBefore(frames, this.draft);
    const W = p.width || 1, H = p.height || 1;
    for (const f of p.faces || []) {
      const [x, y, w, hgt] = f.box.map(Number);
      const label = faceLabel(f);
      const box = h('button', {
        type: 'button',
        class: `face-box ${f.status}${f.source === 'manual' ? ' manual' : ''}`,
        dataset: { faceId: String(f.face_id), faceNo: String(f.face_no) },
        'aria-label': `Face ${f.face_no + 1}: ${label}, ${f.status}`,
        'aria-pressed': String(f.face_id === this.selectedId),
        onclick: (e) => { e.stopPropagation(); if (!this.drawing) this.onSelect(f); },
      }, h('span', { class: 'face-name' }, label));
      // through the CSSOM: the page's Content-Security-Policy forbids style attributes
      Object.assign(box.style, { left: `${(100 * x) / W}%`, top: `${(100 * y) / H}%`, width: `${(100 * w) / W}%`, height: `${(100 * hgt) / H}%` });
      if (f.face_id === this.selectedId) box.classList.add('selected');
      if ((y + hgt) / H > 0.92) box.classList.add('label-above'); // no room below the photo
      this.overlay.insertBefore(box, this.draft);
    }
  }

  select(faceId) {
    this.selectedId = faceId;
    for (const b of this.overlay.querySelectorAll('.face-box')) {
      const on = Number(b.dataset.faceId) === faceId;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-pressed', String(on));
    }
  }

  setDrawing(on) {
    this.drawing = !!on;
    if (this.overlay) this.overlay.classList.toggle('drawing', this.drawing);
    if (!this.drawing) this.dragCancel();
  }

  /* toPhoto(e) → the pointer's position in photo pixels, clamped to the photo. */
  toPhoto(e) {
    const r = this.overlay.getBoundingClientRect();
    const sx = this.photo.width / r.width, sy = this.photo.height / r.height;
    const cx = Math.min(Math.max(e.clientX - r.left, 0), r.width);
    const cy = Math.min(Math.max(e.clientY - r.top, 0), r.height);
    return { x: cx * sx, y: cy * sy, dx: cx, dy: cy };
  }

  dragStart(e) {
    if (!this.drawing || e.button !== 0) return;
    e.preventDefault();
    this.overlay.setPointerCapture(e.pointerId);
    this.drag = { a: this.toPhoto(e), b: null };
  }

  dragMove(e) {
    if (!this.drag) return;
    this.drag.b = this.toPhoto(e);
    const { a, b } = this.drag, W = this.photo.width, H = this.photo.height;
    const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
    Object.assign(this.draft.style, {
      left: `${(100 * x) / W}%`, top: `${(100 * y) / H}%`,
      width: `${(100 * Math.abs(a.x - b.x)) / W}%`, height: `${(100 * Math.abs(a.y - b.y)) / H}%`,
    });
    this.draft.hidden = false;
  }

  dragEnd(e) {
    if (!this.drag) return;
    this.drag.b = this.toPhoto(e);
    const { a, b } = this.drag;
    this.dragCancel();
    if (Math.abs(a.dx - b.dx) < MIN_BOX_PX || Math.abs(a.dy - b.dy) < MIN_BOX_PX) return;
    const x = Math.round(Math.min(a.x, b.x)), y = Math.round(Math.min(a.y, b.y));
    const w = Math.round(Math.max(a.x, b.x)) - x, hgt = Math.round(Math.max(a.y, b.y)) - y;
    this.onDraw([x, y, w, hgt]);
  }

  dragCancel() {
    this.drag = null;
    if (this.draft) this.draft.hidden = true;
  }
}

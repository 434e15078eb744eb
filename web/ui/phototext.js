// phototext.js — what the ocr stage read, beside the photo: the note on the
// back of the print (with a link to the back), a mount caption or sheet
// margin, text in the photo, each with Tesseract's confidence; for a back,
// its front or the reason it has none; and the mirrored-scan flag.

import { api } from './api.js';
import { h, say, fail } from './dom.js';

const REGION = {
  back: 'Back of the print',
  margin: 'On the mount / margin',
  front: 'In the photo',
};

/* photo: GET /api/photos/{id}; onChange() after the photo was flipped.
   Returns an element (empty when nothing was read). */
export function photoTextPanel(photo, onChange = () => {}) {
  const parts = [];
  const of = photo.back_of;
  if (of) {
    parts.push(of.front_id
      ? h('p', { class: 'back-of' }, 'This is the back of a print: ', h('a', { href: `#/photo/${of.front_id}` }, 'open its front'),
        ` (paired by ${of.paired_by}). It is not analysed for faces.`)
      : h('p', { class: 'back-of no-front' }, `This is the back of a print with no front: ${of.no_front}. ` +
        'It is kept and read; its text stays with it.'));
  }
  if (photo.ocr && photo.ocr.mirrored) {
    parts.push(h('p', { class: 'mirrored' },
      'The text in this photo reads mirrored: the print was likely scanned mirror-wise. ',
      h('button', { type: 'button', 'aria-label': 'Flip this photo left-right',
        onclick: async () => {
          try {
            await api.flip(photo.photo_id);
            say('Photo flipped; its faces and text are being read again.');
            onChange();
          } catch (e) { fail(e); }
        } }, 'Flip left-right')));
  }
  if (photo.ocr && photo.ocr.flipped) {
    parts.push(h('p', { class: 'muted' }, 'Flipped left-right by people.'));
  }
  if (photo.reanalysis_pending) parts.push(reanalysisNote(photo, onChange));
  for (const t of photo.texts || []) {
    const onBack = t.read_on !== photo.photo_id;
    parts.push(h('figure', { class: `ocr-text ${t.region}` },
      h('figcaption', {}, REGION[t.region] || t.region, ' ',
        h('span', { class: 'muted' }, `(read by OCR, confidence ${Math.round(t.confidence)} %)`), ' ',
        onBack ? h('a', { href: `#/photo/${t.read_on}` }, 'show the back') : null),
      h('blockquote', { lang: 'de' }, t.text)));
  }
  if (!parts.length) return h('div', { class: 'photo-text', hidden: true });
  return h('section', { class: 'photo-text', 'aria-label': 'Text on the print' }, ...parts);
}

const POLL_MS = 1000;

/* While a flipped photo is analysed and read again by the server
   (GET /api/photos/{id}/reanalysis), says so, and shows the photo anew when
   it is done; a failure is shown with its reason. */
function reanalysisNote(photo, onChange) {
  const note = h('p', { class: 'reanalysis', role: 'status' }, 'Its faces and text are being read again…');
  const poll = async () => {
    if (!note.isConnected && note.dataset.started) return; // the page moved on
    note.dataset.started = '1';
    try {
      const r = await api.reanalysis(photo.photo_id);
      if (r.state === 'done' || (r.state === 'none' && !r.pending)) { onChange(); return; }
      if (r.state === 'failed') { note.textContent = `Reading it again failed: ${r.error || 'see the server log'}.`; return; }
      if (r.state === 'pending') {
        note.textContent = 'Its faces and text are read again by `facetag flip ' + photo.photo_id + '`.';
        return;
      }
    } catch (e) { fail(e); return; }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, 0);
  return note;
}

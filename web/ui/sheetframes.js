// sheetframes.js — a contact sheet's frames on the sheet, and the way back
// from a frame to its sheet. A sheet's photo carries "frames" (each with the
// frame's photo_id, frame_no and the four corners of its rotated box in the
// sheet's pixels); a frame's photo carries "frame_of" (parent_id, frame_no).
// The outlines are an SVG over the photo in the photo's own coordinates, so
// they follow the image at any displayed size like the face boxes; each
// outline is a link to the frame's photo.

import { h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}

/* sheetOutlines(photo) → an <svg class="sheet-frames"> with one link per
   frame cut from this sheet, or null when the photo is no contact sheet. */
export function sheetOutlines(photo) {
  const frames = (photo.frames || []).filter((f) => f.kind === 'sheet' && Array.isArray(f.corners) && f.corners.length === 4);
  if (!frames.length || !photo.width || !photo.height) return null;
  const root = svg('svg', {
    class: 'sheet-frames', viewBox: `0 0 ${photo.width} ${photo.height}`, preserveAspectRatio: 'none',
    role: 'group', 'aria-label': `${frames.length} frames of this contact sheet`,
  });
  for (const f of frames) {
    const a = svg('a', { href: `#/photo/${f.photo_id}`, class: 'sheet-frame', 'aria-label': `Open frame ${f.frame_no}` });
    a.dataset.frameNo = String(f.frame_no);
    a.dataset.photoId = f.photo_id;
    const pts = f.corners.map(([x, y]) => `${x},${y}`).join(' ');
    a.append(svg('polygon', { points: pts, 'vector-effect': 'non-scaling-stroke' }));
    const title = svg('title', {});
    title.textContent = `Frame ${f.frame_no}`;
    a.append(title);
    // the number at the frame's top-left corner
    const [x0, y0] = f.corners[0], [x3, y3] = f.corners[3];
    const size = Math.max(12, 0.15 * Math.hypot(x3 - x0, y3 - y0));
    const label = svg('text', { x: x0, y: y0, dy: '1em', dx: '0.3em', 'font-size': size.toFixed(1) });
    label.textContent = String(f.frame_no);
    a.append(label);
    root.append(a);
  }
  return root;
}

/* sheetNote(photo) → a short text for the photo's caption line: a link back
   to the sheet for a frame, the number of frames for a sheet; or null. */
export function sheetNote(photo) {
  const of = photo.frame_of;
  if (of && of.kind === 'sheet')
    return h('a', { href: `#/photo/${of.parent_id}`, class: 'sheet-link' }, `Frame ${of.frame_no} of a contact sheet`);
  const n = (photo.frames || []).filter((f) => f.kind === 'sheet').length;
  if (n) return h('span', { class: 'sheet-link' }, `Contact sheet of ${n} frames: click a frame to open it`);
  return null;
}

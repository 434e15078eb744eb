// dom.js — building the page from data without ever parsing data as HTML:
// h() makes elements whose text children become text nodes, so a name such as
// "<img onerror=…>" shows as those characters. Also the status line (say/fail)
// and the labels shown for persons and faces.

/* h(tag, attrs, ...children) → a new element. attrs: "class", "dataset"
   (object), "on<event>" (listener), anything else as an attribute (true → present,
   false/null/undefined → absent). Children: nodes, strings (as text), arrays. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, children);
  return el;
}

function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c)); // append(string) inserts a text node
  }
}

/* clear(el, ...children) — replaces el's children. */
export function clear(el, ...children) {
  el.replaceChildren();
  add(el, children);
  return el;
}

let statusTimer = 0;
/* say(msg) — a short message in the status line (read out by screen readers). */
export function say(msg) {
  const s = document.getElementById('status');
  s.classList.remove('error');
  s.textContent = msg;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => { if (s.textContent === msg) s.textContent = ''; }, 4000);
}

/* fail(err) — an error in the status line; stays until the next message. */
export function fail(err) {
  const s = document.getElementById('status');
  clearTimeout(statusTimer);
  s.classList.add('error');
  s.textContent = err instanceof Error ? err.message : String(err);
  console.error(err);
}

/* MainHold(node) — a page's hold on the main area, for dropping the answers
   that come after the reader has gone elsewhere
   (docs/decisions/2026-12-07-ui-late-answers.md). Every page fills the main
   area as it is made, so a page holds it while the node it last put there
   (node, then take(node)) is still in the document. here() tells; fail(e)
   shows e only while here. */
export class MainHold {
  constructor(node) { this.node = node; }
  take(node) { this.node = node; }
  here() { return this.node.isConnected; }
  fail(e) { if (this.here()) fail(e); }
}

/* personLabel(p) — what a person is called on screen: its name or "Person 17". */
export function personLabel(p) {
  if (!p) return 'nobody';
  return p.name ? p.name : `Person ${p.person_id}`;
}

/* faceLabel(f) — the face's person, or "unknown" when it belongs to nobody. */
export function faceLabel(f) {
  if (f.person_name) return f.person_name;
  if (f.person_id) return `Person ${f.person_id}`;
  return 'unknown';
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || one + 's'}`;
}

/* typing(e) — the key event happened in a text field (shortcuts stay out of it). */
export function typing(e) {
  const t = e.target;
  if (!(t instanceof HTMLElement)) return false;
  if (t.isContentEditable) return true;
  if (t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  if (t.tagName === 'INPUT') return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(t.type);
  return false;
}

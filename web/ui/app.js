// app.js — starts the review UI: drops the token from the address (the server
// has set its cookie), routes #/… addresses to pages, and dispatches the
// keyboard shortcuts (global ones here, the rest to the current page).

import { say, typing } from './dom.js';
import { refreshPersons } from './shared.js';
import { ReviewPage } from './review.js';
import { PeoplePage, PersonPage } from './people.js';
import { SearchPage } from './search.js';
import { ChecksPage } from './checks.js';
import { NamesPage } from './suggestions.js';
import { TimelinePage } from './chronology.js';
import { GraphPage } from './graphview.js';
import { EventsPage, EventPage, PlacePage } from './places.js';

const main = document.getElementById('main');
let page = null;

function dropToken() {
  const u = new URL(location.href);
  if (!u.searchParams.has('token')) return;
  u.searchParams.delete('token');
  history.replaceState(null, '', u.pathname + (u.search || '') + u.hash);
}

function setNav(which) {
  for (const a of document.querySelectorAll('nav.main-nav a')) {
    if (a.dataset.nav === which) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function route() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const [what, a, b] = parts.map((s) => decodeURIComponent(s || ''));
  if (what === 'photo' && /^[0-9a-f]{16}$/.test(a)) {
    const faceId = /^\d+$/.test(b) ? Number(b) : null;
    setNav(page instanceof ReviewPage && page.mode === 'all' ? 'photos' : 'review');
    if (page instanceof ReviewPage) page.route(a, faceId);
    else page = new ReviewPage(main, { photoId: a, faceId });
  } else if (what === 'photos') {
    setNav('photos');
    page = new ReviewPage(main, { mode: 'all' });
  } else if (what === 'people') {
    setNav('people');
    page = new PeoplePage(main);
  } else if (what === 'person' && /^\d+$/.test(a)) {
    setNav('people');
    page = new PersonPage(main, Number(a));
  } else if (what === 'names') {
    setNav('names');
    page = new NamesPage(main);
  } else if (what === 'checks') {
    setNav('checks');
    page = new ChecksPage(main);
  } else if (what === 'timeline') {
    setNav('timeline');
    page = new TimelinePage(main, { person: a === 'person' && /^\d+$/.test(b) ? Number(b) : null });
  } else if (what === 'graph') {
    setNav('graph');
    page = new GraphPage(main, a && /^[0-9a-f]{1,16}$/.test(b) ? `${a}:${b}` : null);
  } else if (what === 'events') {
    setNav('timeline');
    page = new EventsPage(main);
  } else if (what === 'event' && /^\d+$/.test(a)) {
    setNav('timeline');
    page = new EventPage(main, Number(a));
  } else if (what === 'place' && /^\d+$/.test(a)) {
    setNav('timeline');
    page = new PlacePage(main, Number(a));
  } else if (what === 'search') {
    setNav('');
    const q = parts.slice(1).map((s) => decodeURIComponent(s)).join('/');
    document.getElementById('search-q').value = q;
    page = new SearchPage(main, q);
  } else {
    setNav('review');
    page = new ReviewPage(main, { mode: 'queue' });
  }
  document.title = `facetag — ${document.querySelector('nav.main-nav a[aria-current]')?.textContent || 'search'}`;
}

function toggleHelp() {
  const d = document.getElementById('help');
  if (d.open) d.close(); else d.showModal();
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (document.querySelector('dialog[open]')) return; // a dialog has the keyboard
  if (typing(e)) return;
  let done = true;
  switch (e.key) {
    case '?': toggleHelp(); break;
    case '/': document.getElementById('search-q').focus(); break;
    case 'q': location.hash = '#/review'; break;
    case 'p': location.hash = '#/people'; break;
    default: done = page && page.onKey ? page.onKey(e) : false;
  }
  if (done) e.preventDefault();
}

function start() {
  dropToken();
  document.getElementById('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = document.getElementById('search-q').value.trim();
    if (q) location.hash = `#/search/${encodeURIComponent(q)}`;
  });
  document.getElementById('help-button').addEventListener('click', toggleHelp);
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  refreshPersons();
  route();
  say('Press ? for the keyboard shortcuts.');
}

start();

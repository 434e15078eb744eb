// graphview.js — the graph view (#/graph/TYPE/ID): a person, event, place or
// photo and its neighbourhood, laid out by Cytoscape.js's own force-directed
// layout (cose). Click a node to expand it (its neighbours are added), double-
// click (or Enter) to open its page; filter photos and events by year and place.
// Keys: ← / → select the previous / next node, e expands it, Enter opens it,
// l lays the graph out again.

import cytoscape from './vendor/cytoscape.esm.min.mjs';
import { h, clear, say, plural, MainHold } from './dom.js';
import { api } from './api.js';
import { graphApi, pageOf } from './graphapi.js';

const COLORS = { Person: '#2f6fb0', Cluster: '#7a8ea3', Foto: '#c9a227', Event: '#b0442f', Location: '#3f8f4f', Year: '#6b4fa0' };

const STYLE = [
  { selector: 'node', style: {
    'background-color': (n) => COLORS[n.data('type')] || '#888', label: 'data(label)', 'font-size': 10,
    'text-wrap': 'ellipsis', 'text-max-width': 120, 'text-valign': 'bottom', 'text-margin-y': 4, width: 18, height: 18,
    color: '#222' } },
  { selector: 'node[depth = 0]', style: { width: 30, height: 30, 'font-weight': 'bold' } },
  { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#111' } },
  { selector: 'edge', style: { width: 1.2, 'line-color': '#b8b8b8', 'target-arrow-shape': 'triangle',
    'target-arrow-color': '#b8b8b8', 'curve-style': 'bezier', label: 'data(rel)', 'font-size': 7, color: '#777',
    'text-rotation': 'autorotate' } },
];

export class GraphPage {
  constructor(main, node) {
    this.main = main;
    this.root = node;
    this.expanded = new Set();
    /* Answers arrive after the reader may have gone elsewhere
       (docs/decisions/2026-12-07-ui-late-answers.md): once another page has
       taken the main area (MainHold), this page's answers are dropped. Within
       the page, expansions only add nodes and relations, so their answers may
       come in any order. */
    this.hold = new MainHold(h('p', { class: 'muted' }, 'Loading the graph…'));
    clear(main, this.hold.node);
    this.start().catch((e) => this.hold.fail(e));
  }

  async start() {
    if (!this.root) {
      const persons = await api.persons();
      if (!this.hold.here()) return;
      if (!persons.length) {
        clear(this.main, h('h1', {}, 'Graph'), h('p', {}, 'No persons yet: analyse and cluster the archive first.'));
        return;
      }
      this.root = `person:${persons[0].person_id}`;
    }
    this.year = h('select', { id: 'graph-year', 'aria-label': 'Filter photos and events by year', onchange: () => this.filter() });
    this.place = h('select', { id: 'graph-place', 'aria-label': 'Filter photos and events by place', onchange: () => this.filter() });
    this.info = h('p', { id: 'graph-info', class: 'muted' });
    this.canvas = h('div', { id: 'graph-canvas', class: 'graph-canvas', tabindex: '0',
      'aria-label': 'Graph: click a node to expand it, double-click to open it' });
    clear(this.main, h('h1', {}, 'Graph'),
      h('div', { class: 'graph-tools' }, h('label', { for: 'graph-year' }, 'Year '), this.year,
        h('label', { for: 'graph-place' }, ' Place '), this.place,
        h('button', { type: 'button', onclick: () => this.layout() }, 'Lay out again')),
      this.info, this.canvas);
    this.hold.take(this.canvas);
    this.cy = cytoscape({ container: this.canvas, style: STYLE, minZoom: 0.1, maxZoom: 4 });
    this.canvas.cy = this.cy; // for tests and the console: node positions
    this.cy.on('tap', 'node', (ev) => this.expand(ev.target.id()).catch((e) => this.hold.fail(e)));
    this.cy.on('dbltap', 'node', (ev) => this.open(ev.target.id()));
    await this.expand(this.root);
    if (this.hold.here()) this.cy.$id(this.root).select();
  }

  async expand(ref) {
    if (this.expanded.has(ref)) return; // expanded, or its answer still on the way
    this.expanded.add(ref);
    let g;
    try {
      g = await graphApi.graph(ref, 1, 60);
    } catch (e) {
      this.expanded.delete(ref); // not expanded: a later click or e asks again
      throw e;
    }
    if (!this.hold.here()) return;
    const add = [];
    for (const n of g.nodes) {
      if (this.cy.$id(n.id).length) continue;
      add.push({ group: 'nodes', data: { ...n, depth: n.id === this.root ? 0 : 1 } });
    }
    for (const e of g.edges) {
      const id = `${e.from}|${e.rel}|${e.to}`;
      if (this.cy.$id(id).length) continue;
      add.push({ group: 'edges', data: { id, source: e.from, target: e.to, rel: e.rel } });
    }
    this.cy.add(add);
    this.layout();
    this.refreshFilters();
    this.filter(); // the new nodes too: a year or place chosen before hides them as it hides the others
    const node = this.cy.$id(ref);
    say(`${node.data('label')}: ${plural(g.nodes.length - 1, 'neighbour', 'neighbours')}${g.truncated ? ' (the first ones)' : ''}`);
  }

  layout() {
    this.cy.layout({ name: 'cose', animate: false, randomize: false, nodeDimensionsIncludeLabels: true, fit: true, padding: 20 }).run();
    this.info.textContent = `${plural(this.cy.nodes().length, 'node', 'nodes')}, ${plural(this.cy.edges().length, 'relation', 'relations')}`;
    this.canvas.dataset.nodes = String(this.cy.nodes().length);
  }

  open(ref) {
    const to = pageOf(ref);
    if (to) location.hash = to;
  }

  refreshFilters() {
    const years = new Set(), places = new Map();
    this.cy.nodes().forEach((n) => {
      if (n.data('year')) years.add(n.data('year'));
      if (n.data('type') === 'Location') places.set(Number(n.id().split(':')[1]), n.data('label'));
    });
    const keep = (sel) => sel.value;
    const y = keep(this.year), p = keep(this.place);
    clear(this.year, h('option', { value: '' }, 'all'), [...years].sort().map((v) => h('option', { value: String(v) }, String(v))));
    clear(this.place, h('option', { value: '' }, 'all'),
      [...places].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h('option', { value: String(id) }, name)));
    this.year.value = y;
    this.place.value = p;
  }

  filter() {
    const y = this.year.value ? Number(this.year.value) : null;
    const p = this.place.value ? Number(this.place.value) : null;
    let shown = 0;
    this.cy.nodes().forEach((n) => {
      const t = n.data('type');
      const ok = (t !== 'Foto' && t !== 'Event') ||
        ((y === null || n.data('year') === y) && (p === null || n.data('place_id') === p));
      n.style('display', ok ? 'element' : 'none');
      if (ok) shown++;
    });
    this.canvas.dataset.shown = String(shown);
  }

  onKey(e) {
    if (!this.cy) return false;
    const visible = this.cy.nodes().filter((n) => n.style('display') !== 'none').sort((a, b) => (a.id() < b.id() ? -1 : 1));
    const sel = this.cy.$('node:selected');
    switch (e.key) {
      case 'ArrowRight': case 'ArrowLeft': {
        if (!visible.length) return true;
        let i = sel.length ? visible.toArray().findIndex((n) => n.id() === sel[0].id()) : -1;
        i = (i + (e.key === 'ArrowRight' ? 1 : -1) + visible.length) % visible.length;
        this.cy.nodes().unselect();
        visible[i].select();
        say(visible[i].data('label'));
        return true;
      }
      case 'e': if (sel.length) this.expand(sel[0].id()).catch((e) => this.hold.fail(e)); return true;
      case 'Enter': if (sel.length) this.open(sel[0].id()); return true;
      case 'l': this.layout(); return true;
      default: return false;
    }
  }
}

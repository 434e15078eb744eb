// graphapi.js — the graph and chronology calls of docs/api.md (/api/timeline,
// /api/graph, /api/events, /api/places, /api/coappearance), through api.js's call().

import { call, query, intId } from './api.js';

const NODE = /^(person|cluster|foto|photo|event|place|location|year):[0-9a-f]{1,16}$/;

/* nodeRef(s) → s when it is a graph node reference ("person:17"), else throws. */
export function nodeRef(s) {
  if (typeof s !== 'string' || !NODE.test(s)) throw new Error(`not a graph node: ${String(s)}`);
  return s;
}

export const graphApi = {
  timeline: ({ person, year, from, to, entry, undated, limit, photos } = {}) =>
    call('GET', `/api/timeline${query({ person: person ? intId(person) : undefined, year, from, to, entry, undated, limit, photos })}`),
  timelineYears: (person) => call('GET', `/api/timeline/years${query({ person: person ? intId(person) : undefined })}`),
  graph: (node, depth = 1, limit = 150) => call('GET', `/api/graph${query({ node: nodeRef(node), depth, limit })}`),
  events: () => call('GET', '/api/events'),
  event: (id) => call('GET', `/api/events/${intId(id)}`),
  places: () => call('GET', '/api/places'),
  place: (id) => call('GET', `/api/places/${intId(id)}`),
  coappearance: (person, limit = 50) =>
    call('GET', `/api/coappearance${query({ person: person ? intId(person) : undefined, limit })}`),
};

/* pageOf(node) → the UI address of a graph node's own page, or null. */
export function pageOf(node) {
  const [type, id] = node.split(':');
  switch (type) {
    case 'person': case 'cluster': return `#/person/${id}`;
    case 'foto': case 'photo': return `#/photo/${id}`;
    case 'event': return `#/event/${id}`;
    case 'place': case 'location': return `#/place/${id}`;
    default: return null;
  }
}

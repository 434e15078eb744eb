// api.js — the REST API of docs/api.md, always same-origin (the auth cookie set
// by /?token=T travels with every call). Every function resolves to the parsed
// JSON answer or rejects with an Error whose message is the server's
// {"error": "…"} (or says which call failed and how).

const PHOTO_ID = /^[0-9a-f]{16}$/;

/* photoId(s) → s when s is a photo id (16 lowercase hex digits), else throws. */
export function photoId(s) {
  if (typeof s !== 'string' || !PHOTO_ID.test(s)) throw new Error(`not a photo id: ${String(s)}`);
  return s;
}

/* intId(n) → n as a positive integer, else throws (ids of faces and persons). */
export function intId(n) {
  const v = typeof n === 'number' ? n : Number.parseInt(String(n), 10);
  if (!Number.isInteger(v) || v <= 0 || String(v) !== String(n).trim()) throw new Error(`not an id: ${String(n)}`);
  return v;
}

export async function call(method, path, body) {
  const opts = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    throw new Error(`${method} ${path}: the server does not answer (${e.message})`);
  }
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      if (res.ok) throw new Error(`${method} ${path}: the answer is not JSON`);
    }
  }
  if (res.status === 401) {
    throw new Error('This server asks for its access token: open /?token=YOUR_TOKEN once in this browser.');
  }
  if (!res.ok) {
    const why = data && typeof data.error === 'string' ? data.error : `HTTP ${res.status}`;
    throw new Error(`${why} (${method} ${path})`);
  }
  return data;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  pending: (limit = 1000, offset = 0) => call('GET', `/pending${query({ limit, offset })}`),
  photos: (limit = 1000, offset = 0) => call('GET', `/api/photos${query({ limit, offset })}`),
  photo: (id) => call('GET', `/api/photos/${photoId(id)}`),
  persons: ({ hidden = false, q = '' } = {}) => call('GET', `/api/persons${query({ hidden: hidden ? 1 : 0, q })}`),
  person: (id) => call('GET', `/api/persons/${intId(id)}`),
  rename: (id, name) => call('POST', `/api/persons/${intId(id)}/rename`, { name }),
  merge: (id, from) => call('POST', `/api/persons/${intId(id)}/merge`, { from: from.map(intId) }),
  hide: (id, hidden) => call('POST', `/api/persons/${intId(id)}/hide`, { hidden: !!hidden }),
  moveFaces: (id, faceIds) => call('POST', `/api/persons/${intId(id)}/faces`, { face_ids: faceIds.map(intId) }),
  split: (faceIds) => call('POST', '/api/split', { face_ids: faceIds.map(intId) }),
  reject: (faceId) => call('POST', `/api/faces/${intId(faceId)}/reject`, {}),
  confirm: (faceId, personId) =>
    call('POST', `/api/faces/${intId(faceId)}/confirm`, personId ? { person_id: intId(personId) } : {}),
  addFace: (id, box, name) =>
    call('POST', `/api/photos/${photoId(id)}/faces`, name ? { box, name } : { box }),
  /* annotate: the original specification's decision call. label null/'' →
     confirm the face in its current person (accepted) or reject it. */
  annotate: (id, faceId, label, accepted) => {
    const body = { photo_id: photoId(id), face_id: intId(faceId), accepted: !!accepted };
    if (label) body.label = label;
    return call('POST', '/annotate', body);
  },
  search: (q) => call('GET', `/api/search${query({ q })}`),
  checks: () => call('GET', '/api/checks'),
  suggestions: ({ person } = {}) => call('GET', `/api/suggestions${query({ person: person ? intId(person) : null })}`),
  decideSuggestion: (body) => call('POST', '/api/suggestions', body),
  flip: (id) => call('POST', `/api/photos/${photoId(id)}/flip`, {}),
  reanalysis: (id) => call('GET', `/api/photos/${photoId(id)}/reanalysis`),
  decisions: (limit = 50) => call('GET', `/api/decisions${query({ limit })}`),
};

export const urls = {
  // v: which working image (after a flip, "flipped"): a URL of its own for the browser's cache
  image: (id, v = '') => `/image/${photoId(id)}${v ? `?v=${encodeURIComponent(v)}` : ''}`,
  crop: (id, faceNo) => `/face_crop/${photoId(id)}/${Number(faceNo) | 0}`,
  exportCsv: '/api/export.csv',
  exportJson: '/api/export.json',
};

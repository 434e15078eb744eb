// shared.js — what every page uses: the list of persons behind the name
// autocompletion (<datalist id="person-names"> of names, <datalist
// id="person-options"> of every person as "Name (#17)"), resolving what was
// typed into such a field to a person, and the small modal dialogs.

import { api } from './api.js';
import { h, clear, fail, personLabel } from './dom.js';

export let persons = [];

/* refreshPersons() — reloads every person (hidden ones too) into the datalists. */
export async function refreshPersons() {
  try {
    const [shown, hidden] = await Promise.all([api.persons({ hidden: false }), api.persons({ hidden: true })]);
    const byId = new Map();
    for (const p of [...shown, ...hidden]) byId.set(p.person_id, p);
    persons = [...byId.values()];
  } catch (e) {
    fail(e);
    return;
  }
  const names = [...new Set(persons.filter((p) => p.name).map((p) => p.name))].sort((a, b) => a.localeCompare(b));
  clear(document.getElementById('person-names'), names.map((n) => h('option', { value: n })));
  clear(document.getElementById('person-options'), persons.map((p) => h('option', { value: optionLabel(p) })));
}

/* optionLabel(p) — "Name (#17)" or "Person 17 (#17)": what the pickers offer. */
export function optionLabel(p) {
  return `${personLabel(p)} (#${p.person_id})`;
}

/* resolvePerson(text) → {person_id} of an existing person, or {name} of a new
   one when the text names nobody, or null when it is empty or ambiguous. */
export function resolvePerson(text) {
  const t = text.trim();
  if (!t) return null;
  const m = /#(\d+)\)?\s*$/.exec(t) || /^(?:person\s+)?(\d+)$/i.exec(t);
  if (m) return { person_id: Number(m[1]) };
  const hits = persons.filter((p) => p.name && p.name.toLowerCase() === t.toLowerCase());
  if (hits.length === 1) return { person_id: hits[0].person_id };
  if (hits.length > 1) return null;
  return { name: t };
}

/* openDialog(id) → the value of the dialog's text field when submitted ('' if
   left empty), or null when cancelled. */
export function openDialog(id) {
  const dlg = document.getElementById(id);
  const input = dlg.querySelector('input[type=text]');
  if (input) input.value = '';
  // Enter submits even while the field's autocompletion list is open
  const enter = (e) => {
    if (e.key === 'Enter' && !e.isComposing) { e.preventDefault(); dlg.close('ok'); }
  };
  if (input) input.addEventListener('keydown', enter);
  return new Promise((resolve) => {
    const done = () => {
      dlg.removeEventListener('close', done);
      if (input) input.removeEventListener('keydown', enter);
      resolve(dlg.returnValue === 'ok' ? (input ? input.value.trim() : '') : null);
    };
    dlg.returnValue = '';
    dlg.addEventListener('close', done);
    dlg.showModal();
    if (input) input.focus();
  });
}

// check_export.mjs — checks a script of `facetag export cypher` with Neo4j's own
// Cypher parser and semantic analysis (@neo4j-cypher/language-support,
// lintCypherQuery), and more:
//  - no diagnostic of severity Error anywhere (statements and :param commands);
//  - the parser sees exactly one statement or command per non-comment line, so
//    no value broke out of its literal;
//  - every :param value is a literal (decoded here by a strict reader of the
//    literal forms facetag writes: maps, lists, strings, numbers, null), and
//    every string of EXPECTED (a JSON array) is among the decoded values, byte
//    for byte after UTF-8 decoding;
//  - every data statement is `UNWIND $rows AS row` + MERGE keyed on a property
//    the script's constraints make unique (nothing else writes), and replaying
//    the script twice against an in-memory model of MERGE gives the same graph
//    (a model, not Neo4j: the database itself cannot run here).
// Usage: node check_export.mjs SCRIPT [EXPECTED.json]
// Prints one JSON line {"statements", "params", "nodes", "relations", "warnings"}; exit 1 on failure.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, parseStatementsStrs } from '@neo4j-cypher/language-support';

const [scriptPath, expectedPath] = process.argv.slice(2);
const text = readFileSync(scriptPath, 'utf8');
const failures = [];
const fail = (msg) => failures.push(msg);

// ---- Neo4j's parser and semantic analysis ----------------------------------
const paramNames = new Set();
for (const m of text.matchAll(/^:param ([A-Za-z_][A-Za-z0-9_]*) =>/gm)) paramNames.add(m[1]);
const parameters = Object.fromEntries([...paramNames].map((n) => [n, []]));
const { diagnostics } = lintCypherQuery(text, { parameters }, { consoleCommandsEnabled: true });
let warnings = 0;
for (const d of diagnostics) {
  if (d.severity === 1) {
    const line = text.split('\n')[d.range.start.line] ?? '';
    fail(`Neo4j parser: ${d.message} at line ${d.range.start.line + 1}: ${line.slice(0, 160)}`);
  } else warnings++;
}
const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('//'));
const statements = parseStatementsStrs(text);
if (statements.length !== lines.length)
  fail(`Neo4j parser sees ${statements.length} statements, the script has ${lines.length} lines`);

// ---- a strict reader of the literals facetag writes ------------------------
function readLiteral(s) {
  let i = 0;
  const ws = () => { while (s[i] === ' ') i++; };
  const expect = (c) => { if (s[i] !== c) throw new Error(`expected ${c} at ${i}`); i++; };
  function value() {
    ws();
    const c = s[i];
    if (c === '[') {
      i++; const a = []; ws();
      if (s[i] === ']') { i++; return a; }
      for (;;) { a.push(value()); ws(); if (s[i] === ',') { i++; continue; } expect(']'); return a; }
    }
    if (c === '{') {
      i++; const o = {}; ws();
      if (s[i] === '}') { i++; return o; }
      for (;;) {
        ws(); const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i, i + 64));
        if (!m) throw new Error(`expected a key at ${i}`);
        i += m[0].length; ws(); expect(':');
        o[m[0]] = value(); ws();
        if (s[i] === ',') { i++; continue; }
        expect('}'); return o;
      }
    }
    if (c === "'") {
      i++; let out = '';
      for (;;) {
        const ch = s[i++];
        if (ch === undefined) throw new Error('unterminated string');
        if (ch === "'") return out;
        if (ch === '\n' || ch === '\r') throw new Error('line break inside a string');
        if (ch !== '\\') { out += ch; continue; }
        const esc = s[i++];
        const simple = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
        if (esc in simple) out += simple[esc];
        else if (esc === 'u') { out += String.fromCharCode(parseInt(s.slice(i, i + 4), 16)); i += 4; }
        else throw new Error(`unknown escape \\${esc}`);
      }
    }
    const m = /^(null|true|false|-?\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(s.slice(i, i + 40));
    if (!m) throw new Error(`unexpected '${s.slice(i, i + 20)}' at ${i}`);
    i += m[0].length;
    return m[0] === 'null' ? null : m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0]);
  }
  const v = value(); ws();
  if (s[i] === ';') i++;
  if (i !== s.length) throw new Error(`trailing text at ${i}: ${s.slice(i, i + 40)}`);
  return v;
}

// ---- replay against a model of MERGE ----------------------------------------
const constraints = new Set();
for (const m of text.matchAll(/^CREATE CONSTRAINT \w+ IF NOT EXISTS FOR \(n:(\w+)\) REQUIRE n\.(\w+) IS UNIQUE;$/gm))
  constraints.add(`${m[1]}.${m[2]}`);
const nodeRe = /^UNWIND \$rows AS row MERGE \(n:(\w+) \{(\w+): row\.(\w+)\}\)((?: SET n\.\w+ = row\.\w+(?:, n\.\w+ = row\.\w+)*)?);$/;
const relRe = /^UNWIND \$rows AS row MATCH \(a:(\w+) \{(\w+): row\.(\w+)\}\) MATCH \(b:(\w+) \{(\w+): row\.(\w+)\}\) MERGE \(a\)-\[r:(\w+)(?: \{(\w+): row\.(\w+)\})?\]->\(b\)((?: SET r\.\w+ = row\.\w+(?:, r\.\w+ = row\.\w+)*)?);$/;
const sets = (s) => [...s.matchAll(/[nr]\.(\w+) = row\.(\w+)/g)].map((m) => [m[1], m[2]]);

function replay(graph) {
  let rows = null;
  const strings = [];
  let nParams = 0;
  for (const line of lines) {
    if (line.startsWith(':param ')) {
      const m = /^:param rows => (.*)$/.exec(line);
      if (!m) { fail(`not a :param rows line: ${line.slice(0, 80)}`); continue; }
      try { rows = readLiteral(m[1]); } catch (e) { fail(`:param value is not a literal (${e.message}): ${line.slice(0, 120)}`); rows = []; }
      nParams++;
      (function walk(v) {
        if (typeof v === 'string') strings.push(v);
        else if (Array.isArray(v)) v.forEach(walk);
        else if (v && typeof v === 'object') Object.values(v).forEach(walk);
      })(rows);
      continue;
    }
    if (line.startsWith('CREATE CONSTRAINT ') || line.startsWith('CREATE INDEX ')) {
      if (!/ IF NOT EXISTS /.test(line)) fail(`schema statement without IF NOT EXISTS: ${line}`);
      continue;
    }
    let m;
    if ((m = nodeRe.exec(line))) {
      const [, label, key, col, setPart] = m;
      if (!constraints.has(`${label}.${key}`)) fail(`MERGE on ${label}.${key}, which no constraint makes unique`);
      for (const row of rows ?? []) {
        const id = `${label}|${JSON.stringify(row[col])}`;
        const props = graph.nodes.get(id) ?? { [key]: row[col] };
        for (const [p, c] of sets(setPart)) { if (row[c] === null) delete props[p]; else props[p] = row[c]; }
        graph.nodes.set(id, props);
      }
    } else if ((m = relRe.exec(line))) {
      const [, la, ka, ca, lb, kb, cb, type, mp, mc, setPart] = m;
      for (const [l, k] of [[la, ka], [lb, kb]])
        if (!constraints.has(`${l}.${k}`)) fail(`MATCH on ${l}.${k}, which no constraint makes unique`);
      for (const row of rows ?? []) {
        const a = `${la}|${JSON.stringify(row[ca])}`, b = `${lb}|${JSON.stringify(row[cb])}`;
        if (!graph.nodes.has(a) || !graph.nodes.has(b)) { graph.unmatched++; continue; }
        const id = `${type}|${a}|${b}|${mp ? JSON.stringify(row[mc]) : ''}`;
        const props = graph.rels.get(id) ?? (mp ? { [mp]: row[mc] } : {});
        for (const [p, c] of sets(setPart)) { if (row[c] === null) delete props[p]; else props[p] = row[c]; }
        graph.rels.set(id, props);
      }
    } else {
      fail(`a statement that is not facetag's MERGE form: ${line.slice(0, 160)}`);
    }
  }
  return { strings, nParams };
}

const graph = { nodes: new Map(), rels: new Map(), unmatched: 0 };
const { strings, nParams } = replay(graph);
const snapshot = (g) => JSON.stringify([[...g.nodes].sort(), [...g.rels].sort()]);
const once = snapshot(graph);
const failuresBefore = failures.length;
replay(graph);
failures.length = failuresBefore; // the second replay repeats the first one's findings
if (snapshot(graph) !== once) fail('running the script twice changes the graph');
if (graph.unmatched) fail(`${graph.unmatched} relation rows name a node the script does not create`);

if (expectedPath) {
  const expected = JSON.parse(readFileSync(expectedPath, 'utf8'));
  const have = new Set(strings);
  for (const s of expected) if (!have.has(s)) fail(`expected value not found intact: ${JSON.stringify(s)}`);
}

console.log(JSON.stringify({ statements: statements.length, params: nParams, nodes: graph.nodes.size,
  relations: graph.rels.size, warnings }));
for (const f of failures.slice(0, 20)) console.error(`check_export: ${f}`);
process.exit(failures.length ? 1 : 0);

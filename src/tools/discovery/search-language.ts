import stem from 'wink-porter2-stemmer';
import APPS from './data/apps.json';
import ENGLISH from './data/english.json';
import PHRASE_DATA from './data/phrases.json';
import LANGUAGE from './data/search-language.json';
import { MAX_QUERY_LENGTH } from '../action-search.port';

/**
 * The language of SaaS actions, for search: how agents say what tools call otherwise.
 *
 * Two kinds of word groups, written from the vocabulary of SaaS APIs and of everyday requests, not
 * from any evaluation query:
 * - operations (verbs): what an action does — create, send, delete, update, get, list, search…; the
 *   verb an action's key starts with is its operation, and the verb a request leads with is the
 *   operation it asks for;
 * - things (nouns): what an action works on — event/meeting, issue/bug, ticket/case,
 *   contact/lead/person, deal/opportunity…; some broad groups (any work item, any person) link the
 *   narrow ones at a lower weight.
 * Each group becomes one concept token, indexed beside the words it contains.
 */
interface Group {
  words: string[];
  /** How much the group's concept counts against the agent's own word (1). */
  weight: number;
}

const NARROW = LANGUAGE.narrowWeight;

/** Operations (data/search-language.json). */
const OPERATION_GROUPS: readonly Group[] = LANGUAGE.operations.map((g) => ({ words: g.words, weight: NARROW }));

/** Things actions work on (data/search-language.json). */
const THING_GROUPS: readonly Group[] = LANGUAGE.things.map((g) => ({ words: g.words, weight: 'broad' in g && g.broad ? LANGUAGE.broadWeight : NARROW }));

/**
 * What well-known apps are for, in the words agents use instead of the app's name ("the shop", "in
 * chat", "our CRM", "the wiki"): a weak hint, indexed with every action of the app (data/apps.json).
 */
const APP_DOMAINS: Record<string, string> = APPS.domains;

/** The words of what a well-known app is for (empty for others). */
export function appDomainOf(appKey: string): string {
  return APP_DOMAINS[appKey] ?? '';
}

/**
 * Operations that come close to others (by the first word of each group): cancelling a meeting
 * deletes it, scheduling creates, moving an issue along updates it… An action doing a close
 * operation counts between one doing the asked one and one doing another.
 */
const CLOSE_OPERATIONS: Record<string, string[]> = LANGUAGE.closeOperations;

/** Operations that only read: get (one thing), search and list (many), download. */
const READ_OPERATIONS = new Set(LANGUAGE.operations.flatMap((g, i) => ('reads' in g && g.reads ? [i] : [])));
const ONE_OPERATIONS = new Set(LANGUAGE.operations.flatMap((g, i) => ('reads' in g && g.reads === 'one' ? [i] : [])));
const MANY_OPERATIONS = new Set(LANGUAGE.operations.flatMap((g, i) => ('reads' in g && g.reads === 'many' ? [i] : [])));

/** Words that say "read" (an agent looking something up) beyond the read operations: questions. */
const QUESTION_WORDS = new Set(LANGUAGE.questionWords);

/** Words that carry no meaning for finding an action. */
const STOP_WORDS = new Set(LANGUAGE.stopWords);

/** Irregular verb forms agents write, to the form the stemmer knows. */
const IRREGULAR: Record<string, string> = ENGLISH.irregularVerbs;

/** Words the stemmer would give another word's stem ("customer" and "custom", "busy" and "business"). */
const OWN_STEMS: Record<string, string> = ENGLISH.ownStems;

/**
 * Bounds on the work one query costs, whatever a client sends: the stemmer is quadratic in a
 * word's length, so every word is cut before it is stemmed, and only the first terms of a query count.
 */
export const MAX_TERM_LENGTH = 32;
export const MAX_QUERY_TERMS = 32;
export { MAX_QUERY_LENGTH };

export function stemWord(word: string): string {
  const w = word.length > MAX_TERM_LENGTH ? word.slice(0, MAX_TERM_LENGTH) : word;
  return OWN_STEMS[w] ?? stem(IRREGULAR[w] ?? w);
}

/** Lowercase words of a text: camelCase, kebab-case and snake_case split; digits kept. */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.length > MAX_TERM_LENGTH ? w.slice(0, MAX_TERM_LENGTH) : w));
}

/** Phrasal verbs and idioms said as one meaning (applied to queries and to action texts alike). */
const PHRASES: ReadonlyArray<[RegExp, string]> = PHRASE_DATA.phrases.map(([pattern, word]) => [new RegExp(pattern, 'g'), word]);

export function joinPhrases(text: string): string {
  // Possessives go ("the team's standup"), contractions become one word ("don't" → "dont").
  let out = text
    .toLowerCase()
    .replace(/(\w)['’]s\b/g, '$1')
    .replace(/(\w)['’](\w)/g, '$1$2');
  for (const [pattern, word] of PHRASES) out = out.replace(pattern, word);
  return out;
}

/** The stems of a text's meaningful words (what the index holds). */
export function terms(text: string, max = Infinity): string[] {
  return words(joinPhrases(text))
    .filter((w) => !STOP_WORDS.has(w))
    .slice(0, max)
    .map(stemWord);
}

/** Prefix of concept tokens: one per word group, indexed beside the words of that group. */
export const CONCEPT_PREFIX = 'zzconcept';

/** The concept of reading in general ("show", "see", "check"), which every reading action has. */
export const READING = `${CONCEPT_PREFIX}o4`;

interface Concepts {
  /** stem → concept tokens of every group it belongs to. */
  all: Map<string, string[]>;
  /** stem → concept tokens of the operation groups it belongs to. */
  operations: Map<string, string[]>;
  /** concept token → weight. */
  weights: Map<string, number>;
  /** Operation concept tokens that only read. */
  reading: Set<string>;
  /** Reading operations on one thing (get) and on many (list, search). */
  one: Set<string>;
  many: Set<string>;
  /** Stems that are a thing (a noun) as well as, or instead of, an operation. */
  thingStems: Set<string>;
  /** Operation concept → the operations close to it. */
  close: Map<string, Set<string>>;
}

/**
 * stem → the concepts (word groups) it belongs to. Indexed next to the word itself and added to
 * queries, so "remove" finds "delete" through their shared concept — one token per meaning, as a
 * search engine's synonym filter does, rather than every synonym of every query word.
 */
const CONCEPTS: Concepts = (() => {
  const all = new Map<string, string[]>();
  const operations = new Map<string, string[]>();
  const weights = new Map<string, number>();
  const reading = new Set<string>();
  const one = new Set<string>();
  const many = new Set<string>();
  const thingStems = new Set<string>();
  const add = (map: Map<string, string[]>, s: string, c: string) => {
    const list = map.get(s) ?? [];
    if (!list.includes(c)) list.push(c);
    map.set(s, list);
  };
  OPERATION_GROUPS.forEach((group, i) => {
    const token = `${CONCEPT_PREFIX}o${i}`;
    weights.set(token, group.weight);
    if (READ_OPERATIONS.has(i)) reading.add(token);
    if (ONE_OPERATIONS.has(i)) one.add(token);
    if (MANY_OPERATIONS.has(i)) many.add(token);
    for (const s of group.words.flatMap((w) => terms(w))) {
      add(all, s, token);
      add(operations, s, token);
    }
  });
  THING_GROUPS.forEach((group, i) => {
    const token = `${CONCEPT_PREFIX}t${i}`;
    weights.set(token, group.weight);
    for (const s of group.words.flatMap((w) => terms(w))) {
      add(all, s, token);
      thingStems.add(s);
    }
  });
  const close = new Map<string, Set<string>>();
  const tokenOf = (first: string) => {
    const i = OPERATION_GROUPS.findIndex((g) => g.words[0] === first);
    if (i === -1) throw new Error(`CLOSE_OPERATIONS names no operation group: ${first}`);
    return `${CONCEPT_PREFIX}o${i}`;
  };
  for (const [from, to] of Object.entries(CLOSE_OPERATIONS)) close.set(tokenOf(from), new Set(to.map(tokenOf)));
  return { all, operations, weights, reading, one, many, thingStems, close };
})();

export function conceptsOf(stemmed: string): readonly string[] {
  return CONCEPTS.all.get(stemmed) ?? [];
}

/** The operation concepts a stem expresses (empty when it is no verb of SaaS actions). */
export function operationsOf(stemmed: string): readonly string[] {
  return CONCEPTS.operations.get(stemmed) ?? [];
}

/** How much a concept counts against the agent's own word. */
export function conceptWeight(concept: string): number {
  return CONCEPTS.weights.get(concept) ?? NARROW;
}

/** Whether a concept is an operation (not a thing). */
export function isOperation(concept: string): boolean {
  return concept.startsWith(`${CONCEPT_PREFIX}o`);
}

/** Whether a reading operation works on one thing (get), many (list, search), or neither. */
export function numberOfOperation(concept: string): 'one' | 'many' | undefined {
  return CONCEPTS.one.has(concept) ? 'one' : CONCEPTS.many.has(concept) ? 'many' : undefined;
}

/** The operations close to an operation concept (CLOSE_OPERATIONS). */
export function closeOperationsOf(concept: string): ReadonlySet<string> {
  return CONCEPTS.close.get(concept) ?? new Set();
}

/** Whether an operation concept only reads. */
export function isReadingOperation(concept: string): boolean {
  return CONCEPTS.reading.has(concept);
}

/** A query word with how much it counts: the request itself counts fully, what it carries less. */
export interface QueryTerm {
  stem: string;
  weight: number;
}

export interface QueryAnalysis {
  terms: QueryTerm[];
  /** The operation the request leads with (stem), when it names one. */
  verb?: string;
  /** Whether it asks to read or to change something. */
  intent?: 'read' | 'write';
  /** Whether the thing it is about is one ("the deal") or many ("the orders"). */
  number?: 'one' | 'many';
  /** The words (stems) the request's own clauses lead with ("ban Bob, then delete the folder"): what it asks to do. */
  leads: string[];
}

/** Words before the verb of a request that say nothing of it. */
const POLITE =
  /^\s*(?:(?:please|pls|kindly|can you|could you|would you|will you|i need to|we need to|i want to|we want to|i'd like to|i would like to|help me|go ahead and|also|now|just|and|quickly|let's|lets)\s+)+/;
/** A clause that starts with one of these tells what someone did or is, not what to do. */
const SUBJECTS = new Set(['i', 'we', 'they', 'he', 'she', 'it', 'you', 'someone', 'somebody', 'everyone', 'nobody']);

/** What a message, comment or note says, a title or a reason: the payload, not the request. */
const PAYLOAD_MARKERS =
  /(?::\s|\s[-–—]\s|(?:^|\s)["“'‘]|\b(?:that|saying|says|about|regarding|because|since|so that|to say|called|named|titled|entitled|whether)\b)/;
/** A negated clause asks for the opposite ("draft it but don't send it"). */
const NEGATION = /\b(?:don'?t|do not|doesn'?t|does not|didn'?t|did not|never|without|instead of|not)\b[^,.;:!?()]*/g;
const NO_WORDS: ReadonlySet<string> = new Set();
/** Words before a noun that make a participle after them an adjective ("the deleted …", "our archived …"). */
const DETERMINERS = new Set([
  'the',
  'a',
  'an',
  'this',
  'that',
  'these',
  'those',
  'my',
  'our',
  'your',
  'their',
  'his',
  'her',
  'its',
  'all',
  'any',
  'every',
  'each',
  'some',
]);
/** A verb's past tense or participle ("sent", "paid", "approved"): what was done, not what to do. */
function isPastForm(word: string): boolean {
  if (word in IRREGULAR) return true;
  return word.length > 4 && word.endsWith('ed') && !word.endsWith('eed') && stemWord(word) !== word;
}
/** How much the request's verb counts as the thing it also names. */
export const AMBIGUOUS_VERB_WEIGHT = 0.5;
/** How much a word counts that says whose the thing is. */
export const OWNER_WEIGHT = 0.5;
/** How much a payload word counts. */
export const PAYLOAD_WEIGHT = 0.25;

/**
 * A request as the ranking reads it: phrasal verbs joined, negated clauses dropped, the words of
 * the payload (after "that", "about", ":", a quote…) down-weighted, and the operation it leads
 * with — its first word when that is a verb of SaaS actions, else its first word that can only be
 * a verb; a question reads.
 */
export function analyzeQuery(text: string, appWords: ReadonlySet<string> = NO_WORDS): QueryAnalysis {
  text = text.slice(0, MAX_QUERY_LENGTH);
  // A word that names an app the request names ("Books" of Zoho Books, "Square") is not its verb.
  const verbLike = (w: string) => !appWords.has(w) && operationsOf(stemWord(w)).length > 0;
  const joined = joinPhrases(text).replace(NEGATION, ' ');
  let head = joined;
  let payload = '';
  const marker = PAYLOAD_MARKERS.exec(joined);
  if (marker && marker.index > 0) {
    const before = joined.slice(0, marker.index);
    // Only when the request before the marker says something of its own — and a colon after a
    // short label that does not lead with a verb ("Vercel: remove the alias", "QBO: pull bill 88",
    // "Month-end close: show the invoices") names where or what, not a payload; a head that leads
    // with a verb ("file a bug: …", "post in #general: …") is the request, and the rest its payload.
    const own = words(before).filter((w) => !STOP_WORDS.has(w));
    const lead = words(before.replace(POLITE, ' ')).find((w) => !STOP_WORDS.has(w));
    const label = marker[0].trimStart().startsWith(':') && own.length <= 3 && !(lead !== undefined && verbLike(lead));
    if (own.length > 0 && !label) {
      head = before;
      payload = joined.slice(marker.index + marker[0].length);
    }
  }
  const headWords = words(head)
    .filter((w) => !STOP_WORDS.has(w))
    .slice(0, MAX_QUERY_TERMS);
  const headStems = headWords.map(stemWord);
  // Whose thing it is ("the team's standup") says less than the thing.
  const owners = new Set(
    [
      ...text
        .slice(0, 1000)
        .toLowerCase()
        .matchAll(/\b(\w{1,40})['’]s\b/g),
    ].map((m) => stemWord(m[1])),
  );
  const out = new Map<string, number>();
  for (const s of headStems.slice(0, MAX_QUERY_TERMS)) out.set(s, owners.has(s) ? OWNER_WEIGHT : 1);
  for (const w of words(payload)) {
    if (out.size >= MAX_QUERY_TERMS) break;
    if (STOP_WORDS.has(w)) continue;
    const s = stemWord(w);
    if (!out.has(s)) out.set(s, PAYLOAD_WEIGHT);
  }
  // The verb a clause of the request starts with (after "please", "can you"…), else the first word
  // that can only be a verb, outside clauses telling what someone did ("we got 30 more…").
  // A colon after a label starts the request itself ("SharePoint: list item 5 …").
  const clauses = head.split(/[,;:.!?()]+|\bthen\b/).map((c) => words(c.replace(POLITE, ' ')));
  let verb: string | undefined;
  let imperative = false;
  const leads: string[] = [];
  for (const ws of clauses) {
    const w = ws[0];
    if (w === undefined || STOP_WORDS.has(w) || appWords.has(w)) continue;
    leads.push(stemWord(w));
    if (imperative || !verbLike(w)) continue;
    verb = stemWord(w);
    imperative = true;
  }
  if (verb === undefined) {
    for (const ws of clauses) {
      if (SUBJECTS.has(ws[0] ?? '')) continue;
      // A participle after a determiner describes a thing ("the deleted property"), it is no verb;
      // nor is a past tense outside a clause's lead ("the merchant got the money", "she sent it").
      verb = ws
        .filter((w, i) => !STOP_WORDS.has(w) && verbLike(w) && !(w.endsWith('ed') && DETERMINERS.has(ws[i - 1] ?? '')) && !isPastForm(w))
        .map(stemWord)
        .find((s) => !CONCEPTS.thingStems.has(s));
      if (verb !== undefined) break;
    }
  }
  // A request's verb that is also a thing ("file a bug", "book a room") counts less as that thing.
  if (verb !== undefined && imperative && CONCEPTS.thingStems.has(verb) && out.get(verb) === 1) out.set(verb, AMBIGUOUS_VERB_WEIGHT);
  // A question (its first word, or its second after an app's name: "gcal what is on tomorrow").
  const question = words(text)
    .slice(0, 2)
    .some((w) => QUESTION_WORDS.has(w));
  // In a question the verbs say what is ("which pull requests are open", "what did the buyer send
  // back"), not what to do: a question reads.
  if (question && !imperative) verb = undefined;
  let intent: 'read' | 'write' | undefined;
  if (verb !== undefined && (imperative || !question)) {
    intent = operationsOf(verb).some((c) => CONCEPTS.reading.has(c)) ? 'read' : 'write';
  } else if (question) {
    intent = 'read';
  }
  // The number of the first thing the request names after its verb.
  const thing = headWords.find((w) => CONCEPTS.thingStems.has(stemWord(w)) && stemWord(w) !== verb && !operationsOf(stemWord(w)).length);
  const number = thing === undefined ? undefined : /[^s]s$/.test(thing) && stemWord(thing) !== thing ? 'many' : 'one';
  return { terms: [...out].map(([stem, weight]) => ({ stem, weight })), verb, intent, number, leads };
}

/** Whether a query asks to read or to change something. */
export function intentOf(query: string): 'read' | 'write' | undefined {
  return analyzeQuery(query).intent;
}

import MiniSearch, { SearchResult } from 'minisearch';
import type { SourceTool } from '../tool-source';
import { CONCEPT_PREFIX, conceptsOf, intentOf, stemWord, terms, words } from './search-language';

export interface ActionHit {
  tool: SourceTool;
  /** Relative relevance, 1 for the best hit of the query. */
  score: number;
}

export interface SearchOptions {
  /** Only these apps (integration keys). */
  apps?: readonly string[];
  limit: number;
}

/** Field weights: the action's own name says most, schema property names least. */
const BOOST = { key: 3, title: 2.5, app: 1, description: 1, props: 0.5 };
/** A word's meaning (its synonym group) counts for less than the word the agent used. */
const CONCEPT_WEIGHT = 0.6;
/** An action whose operation (the verb its key starts with) means what a word of the query means. */
const OPERATION_MATCH = 1.4;
/** How much the read/write intent of a query moves read-only and writing actions. */
const INTENT_MATCH = 1.25;
const INTENT_MISMATCH = 0.8;
/** Short forms agents use for apps, beyond the app's key and name. */
const APP_SHORT_FORMS: Record<string, string> = {
  gcal: 'google-calendar',
  gdrive: 'google-drive',
  gdocs: 'google-docs',
  gsheets: 'google-sheets',
  sfdc: 'salesforce',
  gh: 'github',
  o365: 'outlook',
  msteams: 'microsoft-teams',
};

function isReadOnly(tool: SourceTool): boolean {
  return tool.definition.annotations?.readOnlyHint === true;
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

interface AppMention {
  /** Stemmed word sequences that name the app. */
  phrases: string[][];
  key: string;
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

  constructor(readonly tools: readonly SourceTool[]) {
    this.search = new MiniSearch({
      fields: ['key', 'title', 'app', 'description', 'props'],
      tokenize: (text) => words(text),
      processTerm: (term) => {
        if (term.length > 40) return null;
        const stemmed = stemWord(term);
        return [stemmed, ...conceptsOf(stemmed)];
      },
      searchOptions: { boost: BOOST },
    });
    this.search.addAll(
      tools.map((tool, id) => ({
        id,
        key: actionKey(tool),
        title: actionTitle(tool),
        app: `${tool.app ?? ''} ${appName(tool)}`,
        description: tool.definition.description ?? '',
        props: propertyNames(tool.definition.inputSchema).join(' '),
      })),
    );
    this.operations = tools.map((tool) => {
      const verb = words(actionKey(tool))[0];
      if (!verb) return new Set<string>();
      const stemmed = stemWord(verb);
      return new Set([stemmed, ...conceptsOf(stemmed)]);
    });
    const byApp = new Map<string, AppMention>();
    for (const tool of tools) {
      if (!tool.app || byApp.has(tool.app)) continue;
      const phrases = [words(tool.app), words(appName(tool)), [tool.app.replace(/[^a-z0-9]/gi, '').toLowerCase()]]
        .filter((p) => p.length > 0)
        .map((p) => p.map(stemWord));
      byApp.set(tool.app, { key: tool.app, phrases });
    }
    for (const [short, key] of Object.entries(APP_SHORT_FORMS)) byApp.get(key)?.phrases.push([stemWord(short)]);
    this.apps = [...byApp.values()];
  }

  /** The apps a query names, and the query's stems without the words that named them. */
  private mentions(stems: string[]): { apps: Set<string>; rest: string[] } {
    const apps = new Set<string>();
    const used = new Set<number>();
    for (const app of this.apps) {
      for (const phrase of app.phrases) {
        for (let i = 0; i + phrase.length <= stems.length; i++) {
          if (phrase.every((w, j) => stems[i + j] === w)) {
            apps.add(app.key);
            for (let j = 0; j < phrase.length; j++) used.add(i + j);
          }
        }
      }
    }
    return { apps, rest: stems.filter((_, i) => !used.has(i)) };
  }

  query(text: string, options: SearchOptions): { hits: ActionHit[]; total: number } {
    const stems = terms(text.slice(0, 1000)).slice(0, 32);
    const { apps: named, rest } = this.mentions(stems);
    const weights = new Map<string, number>();
    for (const s of rest) weights.set(s, 1);
    // A meaning the query expresses in several words weighs more (up to twice a single word's concept).
    const conceptCounts = new Map<string, number>();
    for (const s of rest) for (const c of conceptsOf(s)) conceptCounts.set(c, (conceptCounts.get(c) ?? 0) + 1);
    for (const [c, n] of conceptCounts) if (!weights.has(c)) weights.set(c, Math.min(2, n) * CONCEPT_WEIGHT);
    const meanings = new Set(weights.keys());
    // A query that only names an app lists that app's actions.
    const queryTerms = weights.size ? [...weights.keys()] : [];
    const allowed = options.apps?.length ? new Set(options.apps) : undefined;
    const inApps = (tool: SourceTool, narrowed: Set<string> | undefined) =>
      (!allowed || (tool.app !== undefined && allowed.has(tool.app))) && (!narrowed || (tool.app !== undefined && narrowed.has(tool.app)));

    const intent = intentOf(text);
    const rank = (narrowed: Set<string> | undefined): ActionHit[] => {
      let raw: Array<{ tool: SourceTool; score: number }>;
      if (queryTerms.length === 0) {
        raw = this.tools.filter((t) => inApps(t, narrowed)).map((tool) => ({ tool, score: 1 }));
      } else {
        const results: SearchResult[] = this.search.search(queryTerms.join(' '), {
          boostTerm: (term) => weights.get(term) ?? CONCEPT_WEIGHT,
          prefix: (term) => term.length >= 5 && !term.startsWith(CONCEPT_PREFIX),
          fuzzy: (term) => (term.length >= 6 && !term.startsWith(CONCEPT_PREFIX) ? 0.15 : false),
          processTerm: (term) => term,
          filter: (r) => inApps(this.tools[r.id as number], narrowed),
        });
        raw = results.map((r) => {
          const operation = this.operations[r.id as number];
          const matches = [...operation].some((m) => meanings.has(m));
          return { tool: this.tools[r.id as number], score: matches ? r.score * OPERATION_MATCH : r.score };
        });
      }
      if (intent) {
        for (const r of raw) r.score *= isReadOnly(r.tool) === (intent === 'read') ? INTENT_MATCH : INTENT_MISMATCH;
      }
      raw.sort((a, b) => b.score - a.score || a.tool.definition.name.localeCompare(b.tool.definition.name));
      const top = raw[0]?.score ?? 1;
      return raw.map((r) => ({ tool: r.tool, score: Math.round((r.score / top) * 1000) / 1000 }));
    };
    // App names in the query narrow the results, unless nothing of those apps matches.
    let hits = named.size ? rank(named) : [];
    if (hits.length === 0) hits = rank(undefined);
    return { hits: hits.slice(0, options.limit), total: hits.length };
  }
}

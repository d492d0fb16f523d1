import { distance } from 'fastest-levenshtein';

/** Tool names are at most 64 characters: comparing more of a needle cannot find a closer one. */
const SUGGEST_MAX_NEEDLE = 64;
/** No suggestion is further than this from the needle (at most a quarter of its length, at least 2). */
const SUGGEST_MAX_DISTANCE = 12;

/**
 * Closest names to a miss, for "did you mean". Bounded whatever the input: the needle is cut to the
 * longest tool name, and only candidates whose length and characters could be within the allowed
 * distance are compared (by `fastest-levenshtein`); a spec checks that these prefilters suggest what
 * comparing every candidate does.
 */
export function suggestNames(text: string, candidates: Iterable<string>, max = 3): string[] {
  const needle = text.slice(0, SUGGEST_MAX_NEEDLE).toLowerCase();
  const limit = Math.min(SUGGEST_MAX_DISTANCE, Math.max(2, Math.floor(needle.length / 4)));
  const needleChars = charCounts(needle);
  const closest: Scored[] = [];
  for (const name of candidates) {
    const lower = name.toLowerCase();
    const lengthDifference = lower.length - needle.length;
    let score: number;
    // A name containing the needle is only insertions away from it: a close match, however long.
    if (lower.includes(needle)) score = lengthDifference < 2 ? lengthDifference : 2;
    else if (lengthDifference > limit || -lengthDifference > limit) continue;
    else if (distanceLowerBound(needleChars, lower, lengthDifference) > limit) continue;
    else score = distance(needle, lower);
    if (score <= limit) keepClosest(closest, { name, score }, max);
  }
  const best = closest[0]?.score ?? 0;
  return closest.filter((s) => s.score <= best + 1).map((s) => s.name);
}

interface Scored {
  name: string;
  score: number;
}

/** Keeps the `max` closest names, closest first, ties by name: no sort of every close candidate. */
function keepClosest(closest: Scored[], item: Scored, max: number): void {
  let i = closest.length;
  while (i > 0 && (item.score - closest[i - 1].score || item.name.localeCompare(closest[i - 1].name)) < 0) i--;
  if (i >= max) return;
  closest.splice(i, 0, item);
  if (closest.length > max) closest.pop();
}

/*
 * The per-character loops below avoid `Math.*` calls: they run for every candidate of every miss,
 * and those calls are not inlined everywhere (in Jest's sandbox they cost more than the whole loop).
 */

/** How often each character occurs (characters past ASCII share the last slot). */
function charCounts(text: string): Int32Array {
  const counts = new Int32Array(128);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    counts[code < 128 ? code : 127]++;
  }
  return counts;
}

/**
 * A cheap lower bound of the edit distance, so that most candidates of a garbage needle are dropped
 * without computing it: every character one string has in excess of the other must be deleted,
 * inserted or substituted, one edit each. `needleChars` is used as scratch and left as it was.
 */
function distanceLowerBound(needleChars: Int32Array, candidate: string, lengthDifference: number): number {
  let extra = 0;
  for (let i = 0; i < candidate.length; i++) {
    const code = candidate.charCodeAt(i);
    if (--needleChars[code < 128 ? code : 127] < 0) extra++;
  }
  for (let i = 0; i < candidate.length; i++) {
    const code = candidate.charCodeAt(i);
    needleChars[code < 128 ? code : 127]++;
  }
  // The candidate has `extra` characters the needle lacks; the needle has `extra - lengthDifference` the candidate lacks.
  return lengthDifference < 0 ? extra - lengthDifference : extra;
}

/** Shortest secret (or stable piece of an encoded secret) redacted: shorter strings match ordinary text. */
const MIN_SECRET_LENGTH = 8;
/** A segment of a JWT-shaped secret is redacted on its own from this length (an echo may hold only the payload or signature). */
const MIN_SEGMENT_LENGTH = 16;

// Every pattern below runs in linear time on any input: `\s+` and the value class after it are
// disjoint, so a failed match gives back each space once; the JWT check does not use a regex at all.
const BEARER = /(bearer\s+)[^\s"',;]+/gi;
const TOKEN_PARAM = /([?&]token=)[^&#\s"']+/gi;
/** Maximal runs of the characters a JWT is made of (base64url and dots): a JWT never spans two runs. */
const JWT_CHAR_RUN = /[A-Za-z0-9_.-]+/g;
const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]*$/;

/**
 * The JWT-shaped strings of one run of `[A-Za-z0-9_.-]` replaced, with what the former regex
 * `eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}` matched: `eyJ` and at least 5 more
 * characters up to a dot, then two segments of at least 5. Walks the dot-separated segments once
 * (that regex backtracked quadratically on `eyJeyJeyJ…`).
 */
function redactJwtsInRun(run: string): string {
  if (!run.includes('eyJ')) return run;
  const segments = run.split('.');
  const out: string[] = [];
  let i = 0;
  while (i < segments.length) {
    const segment = segments[i];
    // The leftmost `eyJ` is the only candidate: a later one leaves even fewer characters before the dot.
    const start = segment.indexOf('eyJ');
    if (start >= 0 && segment.length - start >= 8 && i + 2 < segments.length && segments[i + 1].length >= 5 && segments[i + 2].length >= 5) {
      out.push(`${segment.slice(0, start)}[redacted-jwt]`);
      i += 3;
    } else {
      out.push(segment);
      i += 1;
    }
  }
  return out.join('.');
}

/**
 * The forms in which a secret may be echoed back: verbatim; each long segment of a JWT (an echo of
 * only its payload or signature); and its base64 and base64url encodings at the three byte
 * alignments it can have inside a longer encoded text (`base64('Bearer ' + token)` holds the
 * secret's encoding at alignment 1). At alignment k the encoding of (k filler bytes + secret) is
 * cut to the characters whose bits all come from the secret. Longest first.
 */
function echoesOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const segments = secret.split('.');
  if (segments.length === 3 && segments.every((s) => BASE64URL_SEGMENT.test(s))) {
    for (const s of segments) if (s.length >= MIN_SEGMENT_LENGTH) forms.add(s);
  }
  const bytes = Buffer.from(secret, 'utf8');
  for (let k = 0; k < 3; k++) {
    const aligned = Buffer.concat([Buffer.alloc(k), bytes]);
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * aligned.length) / 6);
    for (const encoding of ['base64', 'base64url'] as const) {
      const stable = aligned.toString(encoding).slice(from, to);
      if (stable.length >= MIN_SECRET_LENGTH) forms.add(stable);
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * Removes anything that looks like a credential from a text that may reach a log line,
 * an error message or a client: the given secrets (verbatim, their long JWT segments, and base64 /
 * base64url encoded), JWT-shaped strings, `Bearer …` values and `token=` query parameters.
 * Runs in time linear in the text (a split/join per echo form, one pass per pattern).
 */
export function redactSecrets(text: string, ...secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of echoesOf(secret)) out = out.split(form).join('[redacted]');
  }
  return out.replace(JWT_CHAR_RUN, redactJwtsInRun).replace(BEARER, '$1[redacted]').replace(TOKEN_PARAM, '$1[redacted]');
}

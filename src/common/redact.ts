const JWT_LIKE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
const BEARER = /(bearer\s+)[^\s"',;]+/gi;
const TOKEN_PARAM = /([?&]token=)[^&#\s"']+/gi;

/**
 * Removes anything that looks like a credential from a text that may reach a log line,
 * an error message or a client: the given secrets verbatim, JWT-shaped strings,
 * `Bearer …` values and `token=` query parameters.
 */
export function redactSecrets(text: string, ...secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join('[redacted]');
  }
  return out.replace(JWT_LIKE, '[redacted-jwt]').replace(BEARER, '$1[redacted]').replace(TOKEN_PARAM, '$1[redacted]');
}

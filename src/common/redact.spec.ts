import { createHmac } from 'node:crypto';
import { redactSecrets } from './redact';

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function jwt(claims: object, secret = 'workspace-secret'): string {
  const head = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
const TOKEN = jwt({ id: 'customer-42', name: 'Ada', iss: 'ws-key', iat: 1700000000, exp: 1700003600 });
const [, PAYLOAD, SIGNATURE] = TOKEN.split('.');

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe('redactSecrets', () => {
  describe('keeps its behaviour on ordinary text', () => {
    it('redacts JWT-shaped strings, Bearer values and token= parameters', () => {
      expect(redactSecrets(`upstream said: invalid token ${TOKEN} (try again)`)).toBe('upstream said: invalid token [redacted-jwt] (try again)');
      expect(redactSecrets(`GET /mcp?x=1&token=${TOKEN}&y=2`)).toBe('GET /mcp?x=1&token=[redacted]&y=2');
      expect(redactSecrets('GET /sse?token=abc#frag')).toBe('GET /sse?token=[redacted]#frag');
      expect(redactSecrets('Authorization: Bearer abc.def, next')).toBe('Authorization: Bearer [redacted], next');
      expect(redactSecrets(`authorization: bearer ${TOKEN}`)).toBe('authorization: bearer [redacted]');
      expect(redactSecrets('"prefixeyJhbGciOi.abcdef.ghijkl.tail"')).toBe('"prefix[redacted-jwt].tail"');
    });

    it('leaves text without credentials unchanged', () => {
      for (const text of ['Mailbox quota exceeded', 'eyJ alone', 'eyJabcd.efghi.jklmn', 'a.b.c', 'tokens=3 and bearer', 'https://x.example/a?b=c']) {
        expect(redactSecrets(text)).toBe(text);
      }
    });

    it('redacts the given secrets verbatim, ignoring missing and short ones', () => {
      expect(redactSecrets('key s3cr3t-value-123 leaked', 's3cr3t-value-123')).toBe('key [redacted] leaked');
      expect(redactSecrets('short abc stays', 'abc', undefined, '')).toBe('short abc stays');
    });
  });

  describe('finishes in linear time on pathological input', () => {
    const MB = 1_000_000;
    it.each([
      ['eyJ repeated (no dots)', 'eyJ'.repeat(MB / 3)],
      ['eyJ segments too short to be a JWT', 'eyJaaaa.'.repeat(MB / 8)],
      ['two-segment JWT lookalikes', 'eyJaaaaa.bbbbb.'.repeat(MB / 15)],
      ['"bearer " repeated', 'bearer '.repeat(MB / 7)],
      ['"bearer" and a megabyte of spaces', `bearer${' '.repeat(MB)}`],
      ['"?token=" repeated', '?token='.repeat(MB / 7)],
      ['a long run of base64 characters', 'QUJD'.repeat(MB / 4)],
      ['a long run of one character', 'a'.repeat(MB)],
    ])('%s (1 MB) in under 2 s', (_, text) => {
      // Secrets that occur nowhere in the text, so every pattern scans all of it.
      const secrets = [TOKEN, 'a'.repeat(4000) + 'b', 'x'.repeat(100)];
      // Each takes under 200 ms on an idle 2-core machine; a quadratic scan of 1 MB would take minutes.
      // The bound leaves room for a machine busy with the other test workers.
      expect(timed(() => redactSecrets(text, ...secrets))).toBeLessThan(2000);
    });
  });

  describe('redacts echoes of a secret that are not verbatim', () => {
    it('redacts the payload or the signature of a JWT secret echoed on its own', () => {
      expect(redactSecrets(`Invalid claims in ${PAYLOAD}`, TOKEN)).toBe('Invalid claims in [redacted]');
      expect(redactSecrets(`{"error":"bad signature","sig":"${SIGNATURE}"}`, TOKEN)).toBe('{"error":"bad signature","sig":"[redacted]"}');
      expect(redactSecrets(`payload=${PAYLOAD}; signature=${SIGNATURE}`, TOKEN)).not.toMatch(new RegExp(`${PAYLOAD}|${SIGNATURE}`));
    });

    it('redacts a base64-encoded Authorization header holding the token', () => {
      const echoed = Buffer.from(`Bearer ${TOKEN}`).toString('base64');
      const out = redactSecrets(`upstream rejected header ${echoed}`, TOKEN);
      // What remains is the encoding of "Bearer " and the token's last partial group: never the token.
      expect(out).toMatch(/^upstream rejected header QmVhcmVyI.\[redacted\]\S{0,4}$/);
    });

    it.each([0, 1, 2, 3, 4, 5])('redacts the base64 and base64url encodings of the secret after %i other bytes', (prefix) => {
      for (const encoding of ['base64', 'base64url'] as const) {
        for (const secret of [TOKEN, 'ws-secret-0123456789+/?>']) {
          const encoded = Buffer.concat([Buffer.from('x'.repeat(prefix)), Buffer.from(secret), Buffer.from('"}')]).toString(encoding);
          const out = redactSecrets(`echo: ${encoded}`, secret);
          expect(out).toContain('[redacted]');
          // Left: the characters holding bits of the other bytes before, and of the last group + `"}` and padding after.
          const left = out.slice('echo: '.length).replace('[redacted]', '');
          expect(left.length).toBeLessThanOrEqual(Math.ceil((8 * prefix) / 6) + 6);
        }
      }
    });

    it('redacts a Basic credential built from the workspace secret', () => {
      const secret = 'e2e-secret-0123456789';
      const header = `Basic ${Buffer.from(`ws-key:${secret}`).toString('base64')}`;
      expect(redactSecrets(`sent ${header}`, secret)).toMatch(/^sent Basic \S{0,12}\[redacted\]\S{0,4}$/);
    });

    it('does not redact the encodings of other values', () => {
      const other = Buffer.from('Bearer some-other-token-value').toString('base64');
      expect(redactSecrets(`header ${other}`, TOKEN)).toBe(`header ${other}`);
    });
  });
});

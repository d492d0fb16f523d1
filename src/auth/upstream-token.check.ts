/**
 * How a token that could not be verified locally (no workspace secret) is checked: the port `auth`
 * needs, implemented where the Integration.app gateway lives (`integrations/gateway-token.check.ts`)
 * and bound once in `SeamsModule`, so that `auth` never imports `integrations`.
 */
export abstract class UpstreamTokenCheck {
  /**
   * Resolves `true` when Integration.app accepts the token, `false` when it rejects it (401/403);
   * rejects for anything else (upstream unavailable, timeout), which is not the token's fault.
   */
  abstract accepts(token: string): Promise<boolean>;
}

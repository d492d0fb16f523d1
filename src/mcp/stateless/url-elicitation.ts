import { createHmac } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  createRequestStateCodec,
  inputRequired,
  type ClientCapabilities,
  type InputRequiredResult,
  type RequestStateCodec,
  type ServerContext,
  type ServerOptions,
} from '@modelcontextprotocol/server';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolCallContext } from '../../tools/tool-source';

/** The key of the one embedded request in our `input_required` results. */
export const URL_INPUT_KEY = 'open_url';

interface Stashed {
  result: CallToolResult;
}

/**
 * URL elicitation in the 2026-07-28 era, through the SDK v2 server's multi-round-trip support: a
 * tool that offers a URL (`ctx.elicitUrl`, e.g. connect-app's link) to a client declaring
 * `elicitation.url` in its request's `clientCapabilities` gets an `input_required` result carrying
 * `elicitation/create` (mode url); the client shows the URL and retries with its answer, and the
 * retry returns the tool's result (the link in it as always), kept in an HMAC-protected
 * `requestState` (the SDK's `createRequestStateCodec`, bound to the caller, valid 15 minutes) so the
 * tool does not run twice. The key comes from the workspace secret, so any replica verifies it;
 * without the secret, the result is returned at once (it carries the URL).
 */
export class StatelessUrlElicitation {
  private readonly codec?: RequestStateCodec<Stashed>;

  constructor(workspaceSecret: string | undefined) {
    if (!workspaceSecret) return;
    this.codec = createRequestStateCodec<Stashed>({
      key: createHmac('sha256', workspaceSecret).update('integration-app-mcp/requestState').digest(),
      ttlSeconds: 15 * 60,
      bind: (ctx) => `${ctx.mcpReq.method}\u0000${ctx.http?.authInfo?.clientId ?? ''}`,
    });
  }

  /** What the per-request `Server` needs to verify an echoed `requestState`. */
  get serverOptions(): Pick<ServerOptions, 'requestState'> {
    return this.codec ? { requestState: { verify: this.codec.verify } } : {};
  }

  /** Runs a `tools/call` (or answers its retry), turning an offered URL into `input_required` where the client supports it. */
  async call(extra: ServerContext, run: (elicitUrl?: ToolCallContext['elicitUrl']) => Promise<CallToolResult>): Promise<CallToolResult | InputRequiredResult> {
    const stashed = extra.mcpReq.requestState<Stashed>();
    // A retry after the user saw the URL (whatever they answered): the result of the first round.
    if (stashed && typeof stashed === 'object' && stashed.result) return stashed.result;
    const capabilities = (extra.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
    if (!this.codec || !capabilities?.elicitation?.url) return run(undefined);
    let offered: { message: string; url: string } | undefined;
    const result = await run((params) => {
      offered ??= { message: params.message, url: params.url };
    });
    if (!offered || result.isError) return result;
    return inputRequired({
      inputRequests: { [URL_INPUT_KEY]: inputRequired.elicitUrl(offered) },
      requestState: await this.codec.mint({ result }, extra),
    });
  }
}

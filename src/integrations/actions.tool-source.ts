import { Injectable, Logger } from '@nestjs/common';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DomainError } from '../common/domain.errors';
import { hashedSessionRef, sessionLogRef } from '../common/logging/session-log-ref';
import { JsonRpcErrorCode, RpcError } from '../common/json-rpc';
import { invalidArgumentsResult, successResult } from '../tools/tool-results';
import { upstreamFailureResult } from './upstream-failure.result';
import { ToolCallContext, ToolContext, ToolSource } from '../tools/tool-source';
import { ActionRunError, IntegrationsService, InvalidActionArgumentsError } from './integrations.service';
import type { ActionTool } from './tool-catalog';
import { UpstreamError } from './upstream.error';

/**
 * The customer's Integration.app actions as tools: one per action of each connected integration,
 * read from the per-identity catalog (so the list is the same array for every session of a
 * customer until the catalog refreshes).
 */
@Injectable()
export class IntegrationActionsToolSource extends ToolSource {
  readonly sourceName = 'integration-app';
  private readonly logger = new Logger(IntegrationActionsToolSource.name);

  constructor(private readonly integrations: IntegrationsService) {
    super();
  }

  async list(ctx: ToolContext): Promise<readonly ActionTool[]> {
    try {
      return (await this.integrations.catalog({ identityKey: ctx.identity.key, token: ctx.token })).tools;
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === 'unauthorized' || err.kind === 'forbidden')) {
        throw new RpcError(JsonRpcErrorCode.Unauthorized, 'Integration.app rejected the access token; get a fresh token and reconnect.', undefined, {
          cause: err,
        });
      }
      if (err instanceof DomainError) {
        throw new RpcError(JsonRpcErrorCode.UpstreamUnavailable, `Integration.app is unavailable: ${err.message}`, undefined, { cause: err });
      }
      throw err;
    }
  }

  async call(ctx: ToolCallContext, tool: ActionTool, args: Record<string, unknown>): Promise<CallToolResult> {
    const caller = { identityKey: ctx.identity.key, token: ctx.token };
    const entry = tool.entry;
    try {
      const { output, connectionId } = await this.integrations.runAction(caller, tool.catalog, entry, args, ctx.signal);
      if (ctx.audit) ctx.audit.connectionId = connectionId;
      return successResult(output);
    } catch (err) {
      if (err instanceof InvalidActionArgumentsError) return invalidArgumentsResult(entry.name, err.problems);
      // Cancelled by the client (notifications/cancelled) or its connection closed: nobody waits for a result.
      if (err instanceof ActionRunError && ctx.audit) ctx.audit.connectionId = err.connectionId;
      if (ctx.signal?.aborted || !(err instanceof ActionRunError)) throw err;
      const where = ctx.session ? sessionLogRef(ctx.session) : hashedSessionRef(ctx.identity.key, 'identity');
      this.logger.warn(
        `Tool ${entry.name} failed upstream in session ${where}: ${err.upstream.kind}${err.upstream.upstreamStatus ? ` (HTTP ${err.upstream.upstreamStatus})` : ''}`,
      );
      return upstreamFailureResult(entry, err.connectionId, err.upstream, this.integrations.actionTimeoutMs);
    }
  }
}

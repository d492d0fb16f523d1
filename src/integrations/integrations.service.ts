import { Inject, Injectable } from '@nestjs/common';
import { integrationAppConfig, IntegrationAppConfig } from '../config/app.config';
import { DomainError } from '../common/domain.errors';
import { JsonRpcErrorCode } from '../common/json-rpc';
import type { ValidationProblem } from '../tools/schema-validators';
import { CatalogService } from './catalog.service';
import { IntegrationAppGateway } from './integration-app.gateway';
import { CONNECTION_ID_ARG, ToolCatalog, ToolEntry } from './tool-catalog';
import { UpstreamError } from './upstream.error';

/** The arguments of an action run do not fit its input schema (or name a connection the customer does not have). */
export class InvalidActionArgumentsError extends DomainError {
  readonly httpStatus = 400;
  readonly rpcCode = JsonRpcErrorCode.InvalidParams;
  constructor(readonly problems: ValidationProblem[]) {
    super(`Invalid arguments: ${problems.map((p) => `"${p.path}" ${p.message}`).join('; ')}`);
  }
}

/** An action run failed upstream; `upstream` says how, `connectionId` where. */
export class ActionRunError extends DomainError {
  readonly rpcCode = JsonRpcErrorCode.UpstreamUnavailable;
  constructor(
    readonly upstream: UpstreamError,
    readonly connectionId: string,
  ) {
    super(upstream.message, { cause: upstream });
  }
  get httpStatus(): number {
    return this.upstream.httpStatus;
  }
}

/** Who runs an action: the caller's identity (cache key) and newest token. */
export interface ActionCaller {
  identityKey: string;
  token: string;
}

/**
 * Integration.app for the rest of the server: the caller's catalog of actions, and running one of
 * them (validation against its schema, connection choice, the upstream call). No MCP here: the
 * actions tool source turns outcomes into tool results.
 */
@Injectable()
export class IntegrationsService {
  constructor(
    private readonly catalogs: CatalogService,
    private readonly gateway: IntegrationAppGateway,
    @Inject(integrationAppConfig.KEY) private readonly config: IntegrationAppConfig,
  ) {}

  /** The caller's catalog (cached per identity; the token is used only when a fetch is needed). */
  catalog(caller: ActionCaller): Promise<ToolCatalog> {
    return this.catalogs.get(caller.identityKey, caller.token);
  }

  /** Warms the caller's catalog (e.g. right after initialize) without failing anyone. */
  prefetch(caller: ActionCaller): Promise<void> {
    return this.catalogs.get(caller.identityKey, caller.token).then(
      () => undefined,
      () => undefined,
    );
  }

  get actionTimeoutMs(): number {
    return this.config.actionTimeoutMs;
  }

  /**
   * Runs an action of the caller's catalog: arguments validated against its input schema (a schema
   * that does not compile refuses the call), the connection chosen (`connectionId` when the
   * customer has several), then one upstream run, never retried. Throws
   * `InvalidActionArgumentsError` or `UpstreamError`; a vanished connection or action drops the
   * cached catalog.
   */
  async runAction(
    caller: ActionCaller,
    catalog: ToolCatalog,
    entry: ToolEntry,
    args: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<{ output: unknown; connectionId: string }> {
    const problems = catalog.validate(entry, args);
    if (problems.length) throw new InvalidActionArgumentsError(problems);
    let input: Record<string, unknown> | unknown = args;
    let connectionId: string;
    if (entry.connections.length > 1) {
      connectionId = String(args[CONNECTION_ID_ARG]);
      // Checked here too, whatever the schema validation did: only the customer's own connections.
      if (!entry.connections.some((c) => c.id === connectionId)) {
        throw new InvalidActionArgumentsError([
          { path: CONNECTION_ID_ARG, message: `must be one of ${entry.connections.map((c) => JSON.stringify(c.id)).join(', ')}` },
        ]);
      }
      const { [CONNECTION_ID_ARG]: _omit, ...rest } = args;
      void _omit;
      input = rest;
    } else {
      connectionId = entry.connections[0].id;
    }
    if (entry.wrapsInput) input = (input as Record<string, unknown>).input;
    try {
      const output = await this.gateway.runAction(caller.token, connectionId, entry.actionKey, input, { timeoutMs: this.config.actionTimeoutMs, signal });
      return { output, connectionId };
    } catch (err) {
      if (err instanceof UpstreamError) {
        if (err.kind === 'not_found') this.catalogs.invalidate(caller.identityKey);
        throw new ActionRunError(err, connectionId);
      }
      throw err;
    }
  }
}

/** A connection of the calling customer, as the catalog needs it. */
export interface UpstreamConnection {
  id: string;
  name: string;
  integrationId: string;
  integrationKey: string;
  integrationName: string;
  disconnected: boolean;
  archived: boolean;
}

/** An action of an integration, as the catalog needs it. */
export interface UpstreamAction {
  id: string;
  key: string;
  name: string;
  description?: string;
  integrationId: string;
  inputSchema?: unknown;
  /** The Integration.app action type (`list-data-records`, `create-data-record`, `run-javascript`, …), when it says one. */
  type?: string;
  deactivated: boolean;
  archived: boolean;
}

/** An integration (app) of the workspace, as `list-apps` and `connect-app` need it. */
export interface UpstreamIntegration {
  id: string;
  key: string;
  name: string;
  logoUri?: string;
}

export interface UpstreamSelf {
  id?: string;
  name?: string;
}

export interface RunActionOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SearchActionsOptions {
  /** Only the actions of this connection's integration. */
  connectionId?: string;
  limit?: number;
  timeoutMs?: number;
}

/**
 * The port to Integration.app. Only the adapter behind it imports `@integration-app/sdk`;
 * everything else depends on this abstract class (also the DI token).
 *
 * Every method takes the caller's own access token: Integration.app scopes what it returns
 * to the customer the token was issued for. Failures are thrown as `UpstreamError`.
 */
export abstract class IntegrationAppGateway {
  /** `GET /self` — proves the token is accepted by Integration.app. */
  abstract getSelf(token: string): Promise<UpstreamSelf>;
  /** Every connection of the customer (all pages). */
  abstract listConnections(token: string): Promise<UpstreamConnection[]>;
  /**
   * The workspace's integrations (all pages, at most `limit`), optionally narrowed by Integration.app's
   * own `search` (`GET /integrations`). Whether the customer has connected one is `listConnections`' answer.
   */
  abstract listIntegrations(token: string, options?: { search?: string; limit?: number }): Promise<UpstreamIntegration[]>;
  /** Every action of one integration (all pages). */
  abstract listActions(token: string, integrationId: string): Promise<UpstreamAction[]>;
  /**
   * The workspace's actions of every integration in one request, or undefined when they do not fit
   * one page (the catalog then lists them per integration). Lets a cold catalog cost one round trip
   * instead of two; an adapter that cannot do it keeps this default.
   */
  async listAllActions(_token: string): Promise<UpstreamAction[] | undefined> {
    return undefined;
  }
  /**
   * Integration.app's own action search (`GET /actions?intent=…[&connectionId=…]`): the workspace's
   * actions that fit the intent, best first, or undefined when the adapter cannot ask (this default).
   * One attempt, no retry: a search falls back to the local ranking instead of waiting.
   */
  async searchActions(_token: string, _intent: string, _options: SearchActionsOptions = {}): Promise<UpstreamAction[] | undefined> {
    return undefined;
  }
  /** Runs an action on a connection; resolves with the action's output. Never retried. */
  abstract runAction(token: string, connectionId: string, actionKey: string, input: unknown, options?: RunActionOptions): Promise<unknown>;
}

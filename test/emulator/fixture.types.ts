/** Data served by the Integration.app emulator. */
export interface Fixture {
  workspaces: WorkspaceFixture[];
}

export interface WorkspaceFixture {
  key: string;
  secret: string;
  integrations: IntegrationFixture[];
  customers: CustomerFixture[];
}

export interface IntegrationFixture {
  id: string;
  key: string;
  name: string;
  logoUri?: string;
  actions: ActionFixture[];
}

export type RunSpec =
  | { mode: 'echo' }
  | { mode: 'static'; output: unknown }
  /** Fails with this status and error body (and response headers, e.g. `Retry-After` for a 429). */
  | { mode: 'error'; status: number; error: { type: string; key?: string; message: string }; headers?: Record<string, string> }
  /** Fails like an upstream validation error that quotes the input back (as real APIs do). */
  | { mode: 'error-echo'; status: number; type: string }
  /**
   * A slow action (an export, a sync): answers after `seconds` (the input's own `seconds` field wins,
   * up to `maxSeconds`, default 600), with `output` or, without one, the echo of the input.
   */
  | { mode: 'slow'; seconds: number; maxSeconds?: number; output?: unknown };

export interface ActionFixture {
  id?: string;
  key: string;
  name: string;
  description?: string;
  inputSchema?: object;
  outputSchema?: object;
  /** The action's Integration.app type (default `run-javascript`). */
  type?: string;
  isDeactivated?: boolean;
  archived?: boolean;
  run?: RunSpec;
}

export interface CustomerFixture {
  id: string;
  name?: string;
  connections: ConnectionFixture[];
}

export interface ConnectionFixture {
  id: string;
  name: string;
  integrationKey: string;
  disconnected?: boolean;
  archived?: boolean;
}

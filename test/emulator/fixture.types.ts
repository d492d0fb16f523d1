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
  | { mode: 'error-echo'; status: number; type: string };

export interface ActionFixture {
  id?: string;
  key: string;
  name: string;
  description?: string;
  inputSchema?: object;
  outputSchema?: object;
  isDeactivated?: boolean;
  archived?: boolean;
  /** Integration.app's action type (default `run-javascript`): `list-data-records`, `delete-data-record`… */
  type?: string;
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

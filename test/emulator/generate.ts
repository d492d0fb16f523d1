import type { Fixture, IntegrationFixture } from './fixture.types';

export interface GenerateOptions {
  workspaceKey?: string;
  secret?: string;
  /** Customers, each with the same connections (ids differ). */
  customers?: number;
  connections: number;
  actionsPerIntegration: number;
}

const VERBS = ['list', 'get', 'create', 'update', 'delete', 'search'];

/** A synthetic workspace of any size, for benchmarks: one integration per connection. */
export function generateFixture(opts: GenerateOptions): Fixture {
  const integrations: IntegrationFixture[] = Array.from({ length: opts.connections }, (_, i) => ({
    id: `int-${i}`,
    key: `app-${i}`,
    name: `App ${i}`,
    actions: Array.from({ length: opts.actionsPerIntegration }, (_, j) => ({
      key: `${VERBS[j % VERBS.length]}-record-${j}`,
      name: `${VERBS[j % VERBS.length]} record ${j}`,
      description: `Synthetic action ${j} of app ${i}.`,
      inputSchema:
        j % 3 === 0
          ? { type: 'object', properties: {} }
          : {
              type: 'object',
              properties: {
                id: { type: 'string', description: 'Record id' },
                fields: {
                  type: 'object',
                  properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' }, tags: { type: 'array', items: { type: 'string' } } },
                },
                limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
              },
              required: j % 3 === 1 ? ['id'] : [],
            },
    })),
  }));
  const customers = Array.from({ length: opts.customers ?? 1 }, (_, c) => ({
    id: `customer-${c}`,
    name: `Customer ${c}`,
    connections: integrations.map((integration, i) => ({
      id: `conn-${c}-${i}`,
      name: `${integration.name} of customer ${c}`,
      integrationKey: integration.key,
    })),
  }));
  return { workspaces: [{ key: opts.workspaceKey ?? 'bench', secret: opts.secret ?? 'bench-secret', integrations, customers }] };
}

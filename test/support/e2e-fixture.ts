import type { Fixture } from '../emulator/fixture.types';

export const WORKSPACE = 'e2e-workspace';
export const SECRET = 'e2e-secret-0123456789';

/** A small, precise workspace for e2e assertions (the demo workspace is for people). */
export function e2eFixture(): Fixture {
  return {
    workspaces: [
      {
        key: WORKSPACE,
        secret: SECRET,
        integrations: [
          {
            id: 'int-gmail',
            key: 'gmail',
            name: 'Gmail',
            actions: [
              {
                key: 'send-email',
                name: 'Send Email',
                description: 'Send an email from the connected mailbox.',
                inputSchema: {
                  type: 'object',
                  properties: {
                    to: { type: 'array', items: { type: 'string', format: 'email' }, minItems: 1, description: 'Recipients' },
                    subject: { type: 'string', description: 'Subject line', default: '(no subject)' },
                    body: { type: 'string' },
                    priority: { type: 'string', enum: ['low', 'normal', 'high'], default: 'normal' },
                    options: { type: 'object', properties: { trackOpens: { type: 'boolean' } } },
                  },
                  required: ['to', 'body'],
                },
              },
              {
                key: 'list-emails',
                name: 'List Emails',
                inputSchema: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 100 } } },
              },
              { key: 'get-profile', name: 'Get Profile' },
              { key: 'count-unread', name: 'Count Unread', run: { mode: 'static', output: 0 } },
              { key: 'is-vacation-on', name: 'Is Vacation On', run: { mode: 'static', output: false } },
              { key: 'get-signature', name: 'Get Signature', run: { mode: 'static', output: '' } },
              { key: 'get-nothing', name: 'Get Nothing', run: { mode: 'static', output: null } },
              { key: 'list-labels', name: 'List Labels', run: { mode: 'static', output: ['inbox', 'work'] } },
              { key: 'delete-email', name: 'Delete Email', inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
              { key: 'old-action', name: 'Old Action', isDeactivated: true },
              { key: 'gone-action', name: 'Gone Action', archived: true },
              {
                key: 'fail-action',
                name: 'Fail Action',
                run: { mode: 'error', status: 400, error: { type: 'action_run', message: 'Mailbox quota exceeded' } },
              },
            ],
          },
          {
            id: 'int-slack',
            key: 'slack',
            name: 'Slack',
            actions: [
              {
                key: 'send-message',
                name: 'Send Message',
                inputSchema: { type: 'object', properties: { channel: { type: 'string' }, text: { type: 'string' } }, required: ['channel', 'text'] },
              },
            ],
          },
          { id: 'int-notion', key: 'notion', name: 'Notion', actions: [{ key: 'search', name: 'Search' }] },
          { id: 'int-jira', key: 'jira', name: 'Jira', actions: [{ key: 'create-issue', name: 'Create Issue' }] },
          {
            // Long-running actions (SPEC §18): only the `cust-runs*` customers are connected to it.
            id: 'int-warehouse',
            key: 'warehouse',
            name: 'Warehouse',
            actions: [
              {
                key: 'export-data',
                name: 'Export Data',
                description: 'Exports the warehouse tables (slow: takes `seconds`, 2 by default).',
                inputSchema: { type: 'object', properties: { seconds: { type: 'number', minimum: 0, maximum: 60 }, table: { type: 'string' } } },
                run: { mode: 'slow', seconds: 2, maxSeconds: 60 },
              },
              {
                key: 'read-snapshot',
                name: 'Read Snapshot',
                description: 'Reads a snapshot (slow, read-only).',
                inputSchema: { type: 'object', properties: { seconds: { type: 'number', minimum: 0, maximum: 60 } } },
                run: { mode: 'slow', seconds: 2, maxSeconds: 60, output: ['row-1', 'row-2'] },
              },
            ],
          },
          // Connected by no customer: what list-apps / connect-app offer (SPEC §16).
          {
            id: 'int-asana',
            key: 'asana',
            name: 'Asana',
            actions: [
              {
                key: 'create-task',
                name: 'Create Task',
                description: 'Create a task in an Asana project.',
                inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
              },
              { key: 'list-projects', name: 'List Projects', run: { mode: 'static', output: { projects: [{ id: 'p-1', name: 'Launch' }] } } },
            ],
          },
        ],
        customers: [
          {
            id: 'cust-1',
            name: 'Ada',
            connections: [
              { id: 'conn-gmail', name: 'Ada Gmail', integrationKey: 'gmail' },
              { id: 'conn-slack-a', name: 'Slack Acme', integrationKey: 'slack' },
              { id: 'conn-slack-b', name: 'Slack Personal', integrationKey: 'slack' },
              { id: 'conn-notion-off', name: 'Old Notion', integrationKey: 'notion', disconnected: true },
              { id: 'conn-jira-arch', name: 'Archived Jira', integrationKey: 'jira', archived: true },
            ],
          },
          { id: 'cust-2', name: 'Grace', connections: [{ id: 'conn-g2-notion', name: 'Grace Notion', integrationKey: 'notion' }] },
          { id: 'cust-runs', name: 'Runner', connections: [{ id: 'conn-warehouse', name: 'Main Warehouse', integrationKey: 'warehouse' }] },
          { id: 'cust-runs-2', name: 'Other Runner', connections: [{ id: 'conn-warehouse-2', name: 'Other Warehouse', integrationKey: 'warehouse' }] },
        ],
      },
    ],
  };
}

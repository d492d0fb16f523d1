import { Injectable } from '@nestjs/common';
import { McpTool, ToolCallContext } from 'integration-app-mcp-server';

interface Person {
  email: string;
  name: string;
  team: string;
  manager?: string;
}

/** The company directory: read-only, in memory (a real module would read its own service). */
const PEOPLE: Person[] = [
  { email: 'ada@example.com', name: 'Ada Lovelace', team: 'Platform', manager: 'grace@example.com' },
  { email: 'grace@example.com', name: 'Grace Hopper', team: 'Platform' },
  { email: 'alan@example.com', name: 'Alan Turing', team: 'Research', manager: 'grace@example.com' },
];

/** A read-only lookup tool, declared on a provider method. */
@Injectable()
export class DirectoryTools {
  @McpTool({
    name: 'directory_find-person',
    title: 'Directory: Find person',
    description: 'Finds a colleague in the company directory by email address or part of the name; returns name, team and manager.',
    app: 'directory',
    inputSchema: {
      type: 'object',
      properties: { query: { type: 'string', minLength: 2, description: 'Email address or part of the name, e.g. "ada" or "ada@example.com".' } },
      required: ['query'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  findPerson(args: { query: string }, _ctx: ToolCallContext): { people: Person[] } {
    const q = args.query.toLowerCase();
    return { people: PEOPLE.filter((p) => p.email === q || p.name.toLowerCase().includes(q)) };
  }
}

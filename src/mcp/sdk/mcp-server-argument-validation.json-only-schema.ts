import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

/*
 * SDK shortcut — bypasses: the argument validation `McpServer.registerTool` runs with the tool's
 * input schema (2026-07-28 era, `@modelcontextprotocol/server` 2.4.0 pinned): the schema given here
 * only carries the JSON Schema (which the SDK reads for its `Mcp-Param-*` header check) and accepts
 * any value, because the tool registry validates arguments itself, with the same messages as in the
 * session era. Parity: test/protocol-eras.e2e-spec.ts (invalid arguments refused -32602 by the registry, as in the
 * session era; an `Mcp-Param-*` mismatch refused 400 / -32020 by the SDK).
 */

/**
 * A Standard Schema carrying a tool's JSON Schema and accepting any value: the SDK reads the JSON
 * (for its `Mcp-Param-*` check); the registry validates arguments itself, exactly as in the session era.
 */
export function jsonOnly(schema: Tool['inputSchema']): StandardSchemaWithJSON {
  return {
    '~standard': {
      version: 1,
      vendor: 'integration-app-mcp',
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: () => schema, output: () => schema },
    },
  } as StandardSchemaWithJSON;
}

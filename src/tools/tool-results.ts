import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ValidationProblem } from './schema-validators';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A successful run: the JSON output as text, plus `structuredContent` when it is an object. Falsy outputs stay as they are. */
export function successResult(output: unknown): CallToolResult {
  const text = output === undefined ? 'null' : JSON.stringify(output);
  const result: CallToolResult = { content: [{ type: 'text', text }] };
  if (isPlainObject(output)) result.structuredContent = output;
  return result;
}

export function errorResult(text: string, details?: Record<string, unknown>): CallToolResult {
  const result: CallToolResult = { content: [{ type: 'text', text }], isError: true };
  // The structured error carries the message too, for clients that show only structuredContent.
  if (details) result.structuredContent = { error: { ...details, message: text } };
  return result;
}

export function invalidArgumentsResult(toolName: string, problems: ValidationProblem[]): CallToolResult {
  const list = problems.map((p) => `"${p.path}" ${p.message}`);
  return errorResult(
    `Invalid arguments for ${toolName}: ${list.join('; ')}. Fix these fields and call again (the schema: the tool's inputSchema, or describe-actions in search mode).`,
    {
      type: 'invalid_arguments',
      fields: problems,
    },
  );
}

/** The text without the periods (and spaces) it ends with, so the sentence after it ends in exactly one. */
export function withoutFinalPeriods(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '.' || text[end - 1].trim() === '')) end--;
  return text.slice(0, end);
}

/**
 * Clients check that a tool with an output schema returns structured content; an action whose
 * output is not an object (a list, a number, a string) has none of its own, so the run tools add
 * `{ output: <value> }`. Everything else of the result is the action's own.
 */
export function withStructuredOutput(result: CallToolResult): CallToolResult {
  if (result.isError || result.structuredContent !== undefined) return result;
  const block = result.content?.[0];
  let output: unknown = null;
  if (block?.type === 'text') {
    try {
      output = JSON.parse(block.text);
    } catch {
      output = block.text;
    }
  }
  return { ...result, structuredContent: { output } };
}

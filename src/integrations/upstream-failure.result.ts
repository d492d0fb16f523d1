import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorResult, withoutFinalPeriods } from '../tools/tool-results';
import type { ToolEntry } from './tool-catalog';
import { UpstreamError } from './upstream.error';

/** Turns an upstream failure into text an agent can act on. */
export function upstreamFailureResult(entry: ToolEntry, connectionId: string, err: UpstreamError, actionTimeoutMs: number): CallToolResult {
  const connection = entry.connections.find((c) => c.id === connectionId);
  const where = `${entry.integrationName || entry.integrationKey} connection "${connection?.name ?? connectionId}" (${connectionId})`;
  const label = [err.upstreamType, err.upstreamKey].filter(Boolean).join('/');
  // One period after it, whatever the upstream message ends with.
  const cause = `Integration.app error${label ? ` (${label})` : ''}: ${withoutFinalPeriods(err.message)}`;
  const details: Record<string, unknown> = { type: err.kind, upstreamType: err.upstreamType, upstreamKey: err.upstreamKey, status: err.upstreamStatus };
  switch (err.kind) {
    case 'connection':
      return errorResult(
        `${cause}. The ${where} is disconnected or its credentials stopped working: ask the user to reconnect it in the app, then retry.`,
        details,
      );
    case 'rate_limited': {
      const seconds = err.retryAfterSeconds ?? 30;
      return errorResult(`${cause}. Rate limit reached for ${where}; retry after ${seconds} s.`, { ...details, retryAfterSeconds: seconds });
    }
    case 'timeout':
      return errorResult(
        `The action ${entry.actionKey} on ${where} did not finish within ${Math.round(actionTimeoutMs / 1000)} s (ACTION_TIMEOUT_MS). ` +
          'It may still complete upstream: check its effect before retrying to avoid doing it twice.',
        details,
      );
    case 'unauthorized':
    case 'forbidden':
      return errorResult(`${cause}. The access token was rejected; get a fresh Integration.app token and reconnect.`, details);
    case 'not_found':
      return errorResult(`${cause}. The connection or action no longer exists; call tools/list to refresh the available tools.`, details);
    case 'unavailable':
      return errorResult(`${cause}. Integration.app is unavailable right now; retry in a little while.`, details);
    case 'action_failed':
      // The app refused or failed the action itself (a quota, a business rule): not an argument problem.
      return errorResult(
        `${cause}. The action failed in ${entry.integrationName || entry.integrationKey}; tell the user what the error says — ` +
          'retrying with the same arguments will fail the same way until its cause is fixed.',
        details,
      );
    default:
      return errorResult(
        `${cause}. Check the arguments against the action's schema (the tool's inputSchema, or describe-actions in search mode) and try again.`,
        details,
      );
  }
}

import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RankedAction } from '../action-search.port';
import type { SourceTool } from '../tool-source';
import { connectedFirst, NOT_CONNECTED_WEIGHT, widenedDepth } from './not-connected-ranking';

const tool = (name: string, options: { notConnected?: boolean; readOnly?: boolean } = {}): SourceTool =>
  ({
    definition: { name, title: name, inputSchema: { type: 'object' }, annotations: { readOnlyHint: options.readOnly ?? false } } as Tool,
    app: name.split('_')[0],
    ...(options.notConnected ? { notConnected: true, appName: name.split('_')[0] } : {}),
  }) as SourceTool;

const names = (hits: RankedAction[]) => hits.map((h) => h.tool.definition.name);

describe('connectedFirst (actions of apps not connected yet, ranked with the connected ones)', () => {
  it('an equally good connected action comes first', () => {
    const hits = [
      { tool: tool('asana_create-task', { notConnected: true }), score: 1 },
      { tool: tool('jira_create-issue'), score: 1 },
    ];
    expect(names(connectedFirst('create a task', hits, 10))).toEqual(['jira_create-issue', 'asana_create-task']);
  });

  it('a not-connected action clearly better than every connected one stays first; the best score is 1, scores never increase', () => {
    const hits = [
      { tool: tool('asana_create-task', { notConnected: true }), score: 1 },
      { tool: tool('jira_create-issue'), score: 0.6 },
    ];
    const ranked = connectedFirst('create a task in asana', hits, 10);
    expect(names(ranked)).toEqual(['asana_create-task', 'jira_create-issue']);
    expect(ranked[0].score).toBe(1);
    expect(ranked[1].score).toBeCloseTo(0.6 / NOT_CONNECTED_WEIGHT, 2);
  });

  it('a connected action just below a not-connected one (within the weight) moves above it', () => {
    const hits = [
      { tool: tool('asana_create-task', { notConnected: true }), score: 1 },
      { tool: tool('jira_create-issue'), score: 0.9 },
      { tool: tool('gmail_send-email'), score: 0.5 },
    ];
    const ranked = connectedFirst('create', hits, 2);
    expect(names(ranked)).toEqual(['jira_create-issue', 'asana_create-task']);
    expect(ranked.map((h) => h.score)).toEqual([1, 0.944]);
  });

  it('keeps the safety order: a destructive action is not first for a request that does not ask to destroy', () => {
    const hits = [
      { tool: tool('asana_list-tasks', { notConnected: true, readOnly: true }), score: 1 },
      { tool: tool('jira_delete-issue'), score: 0.95 },
    ];
    expect(names(connectedFirst('show my tasks', hits, 10))).toEqual(['asana_list-tasks', 'jira_delete-issue']);
  });

  it('keeps the order of the ranking among actions of one kind; reads deeper than the limit, at most 50', () => {
    const hits = ['a', 'b', 'c'].map((x, i) => ({ tool: tool(`app_${x}`), score: 1 - i * 0.1 }));
    expect(names(connectedFirst('x', hits, 3))).toEqual(['app_a', 'app_b', 'app_c']);
    expect(connectedFirst('x', [], 5)).toEqual([]);
    expect(widenedDepth(10)).toBe(20);
    expect(widenedDepth(1)).toBe(11);
    expect(widenedDepth(50)).toBe(50);
  });
});

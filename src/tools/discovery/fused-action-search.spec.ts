import { searchContext, viewOf } from '../../../test/support/tool-view';
import { annotationsFor } from '../../integrations/tool-annotations';
import type { SourceTool, ToolContext, ToolView } from '../tool-source';
import { actionKind, asksToDestroy } from './action-kind';
import { ActionSearchProvider, ActionSearchRequest, ActionSearchResult } from '../action-search.port';
import { FusedActionSearch, readSafe, reciprocalRankFusion, RRF_K } from './fused-action-search';
import { LocalActionSearch } from './local-action-search';
import { SearchIndexCache } from './search-index-cache';

function tool(app: string, key: string, name: string, description = '', actionType?: string): SourceTool {
  const title = `${app}: ${name}`;
  return {
    app,
    ...(actionType ? { actionType } : {}),
    definition: { name: `${app}_${key}`, title, description, inputSchema: { type: 'object', properties: {} }, annotations: annotationsFor(title, key, name) },
  };
}

const TOOLS = [
  tool('xero', 'void-invoice', 'Void Invoice', 'Voids an invoice so it is no longer owed.'),
  tool('xero', 'get-invoice', 'Get Invoice', 'Returns one invoice.'),
  tool('xero', 'list-invoices', 'List Invoices', 'Lists invoices.'),
  tool('mailchimp', 'unsubscribe-member', 'Unsubscribe Member', 'Unsubscribes a member of an audience.'),
  tool('mailchimp', 'get-member', 'Get Member', 'Returns a member of an audience.'),
  tool('crm', 'get-or-create-contact', 'Get or Create Contact', 'Finds a contact or creates it.', 'find-or-create-data-record'),
  tool('crm', 'lookup-contact', 'Lookup Contact', 'Finds a contact.', 'delete-data-record'),
];
const [voidInvoice, getInvoice, listInvoices, unsubscribe, getMember] = TOOLS;
const hit = (t: SourceTool, score = 1) => ({ tool: t, score });

/** A provider answering a fixed ranking (or failing / late), switched on or off. */
class FixedProvider extends ActionSearchProvider {
  calls = 0;
  constructor(
    readonly providerName: string,
    private readonly answer: () => Promise<ActionSearchResult | undefined>,
    private readonly on = true,
  ) {
    super();
  }
  enabled(): boolean {
    return this.on;
  }
  search(_ctx: ToolContext, _view: ToolView, _request: ActionSearchRequest): Promise<ActionSearchResult | undefined> {
    this.calls++;
    return this.answer();
  }
}

describe('reciprocal rank fusion', () => {
  it('sums 1/(k+rank) over lists: agreement wins, the best is 1', () => {
    const fused = reciprocalRankFusion([[hit(getInvoice), hit(listInvoices), hit(voidInvoice)], [hit(listInvoices), hit(getInvoice)], [hit(listInvoices)]]);
    expect(fused.map((h) => h.tool)).toEqual([listInvoices, getInvoice, voidInvoice]);
    expect(fused[0].score).toBe(1);
    const expected = 1 / (RRF_K + 1) + 1 / (RRF_K + 2);
    const top = 2 / (RRF_K + 1) + 1 / (RRF_K + 2);
    expect(fused[1].score).toBeCloseTo(expected / top, 3);
  });
});

describe('read safety', () => {
  it('never puts a destructive action first for a request that reads; writes keep their order', () => {
    const ranked = [hit(voidInvoice, 1), hit(getInvoice, 0.9), hit(listInvoices, 0.5)];
    const safe = readSafe('show me invoice INV-7', ranked);
    expect(safe.map((h) => h.tool)).toEqual([getInvoice, listInvoices, voidInvoice]);
    expect(safe[0].score).toBe(1);
    expect(safe.map((h) => h.score)).toEqual([...safe.map((h) => h.score)].sort((a, b) => b - a));
    expect(readSafe('who is member 12 of the audience', [hit(unsubscribe), hit(getMember)])[0].tool).toBe(getMember);
    expect(readSafe('void invoice INV-7', ranked).map((h) => h.tool)).toEqual(ranked.map((h) => h.tool));
  });

  it('puts a destructive action first only when the request itself asks to destroy (not in its payload)', () => {
    const ranked = [hit(voidInvoice, 1), hit(getInvoice, 0.9)];
    expect(readSafe('Xero: the invoice INV-7', ranked)[0].tool).toBe(getInvoice);
    expect(readSafe('update invoice INV-7', ranked)[0].tool).toBe(getInvoice);
    expect(readSafe('cancel invoice INV-7', ranked)[0].tool).toBe(voidInvoice);
    expect(readSafe('get rid of invoice INV-7', ranked)[0].tool).toBe(voidInvoice);
    expect(asksToDestroy('email the client about the deleted invoice')).toBe(false);
    expect(asksToDestroy('unsubscribe bob from the newsletter')).toBe(true);
  });

  it('takes a destroying word for what the request asks only where a verb stands (its verb, a clause lead), not where it describes a thing', () => {
    const ranked = [hit(voidInvoice, 1), hit(listInvoices, 0.9)];
    expect(readSafe('which invoices are due this week? include the voided ones', ranked)[0].tool).toBe(listInvoices);
    expect(asksToDestroy('show the deletion log of the workspace')).toBe(false);
    expect(asksToDestroy('export every cancelled subscription to a sheet')).toBe(false);
    // In verb position it still asks: a clause's lead, a verb after "please", a second clause.
    expect(asksToDestroy('ban user 42 from the server')).toBe(true);
    expect(asksToDestroy('please revoke the API key of the intern')).toBe(true);
    expect(asksToDestroy('Bob left: remove him from the channel')).toBe(true);
    expect(readSafe('which invoices are wrong? void INV-7', ranked)[0].tool).toBe(voidInvoice);
  });

  it('with the local ranker alone, a read request gets a non-destructive action first even when the limit best are all destructive', async () => {
    // Many delete actions that match a read request's words better than the one action that reads.
    const deletes = Array.from({ length: 12 }, (_, i) => tool(`app${i}`, 'delete-replica', 'Delete Replica', 'Deletes a replica.'));
    const events = tool('cloud', 'list-database-events', 'List Database Events', 'Lists the events of a database cluster.');
    const view = viewOf([...deletes, events]);
    const query = 'I think someone deleted a replica of the cluster - what went on?';
    const local = new LocalActionSearch(new SearchIndexCache({ maxEntries: 4, maxBytes: 1e8 }));
    expect(local.searchNow(view, { query, limit: 5 }).hits.every((h) => actionKind(h.tool) === 'destructive')).toBe(true);
    const { hits } = await new FusedActionSearch(local).search(searchContext(), view, { query, limit: 5 });
    expect(hits).toHaveLength(5);
    expect(hits[0].tool.definition.name).toBe('cloud_list-database-events');
  });

  it('reads a label before a colon as a label even when it holds a destroying word, so what follows decides', () => {
    const ranked = [hit(voidInvoice, 1), hit(getInvoice, 0.9)];
    // "end", "cancel" in a label that does not lead with a verb; the request after the colon reads.
    expect(readSafe('Year-end wrap-up: I want to see invoice INV-7', ranked)[0].tool).toBe(getInvoice);
    expect(readSafe('Quarter-end cancellations: show invoice INV-7', ranked)[0].tool).toBe(getInvoice);
    // A head that leads with a destroying verb is still the request.
    expect(readSafe('void it: invoice INV-7 was billed twice', ranked)[0].tool).toBe(voidInvoice);
  });

  it('reads the request as the ranker does: a word of an app it names is not its verb ("Zoho Books: delete …")', () => {
    const named = (app: string, key: string, name: string) => ({
      ...tool(app, key, name),
      definition: { ...tool(app, key, name).definition, title: `Zoho Books: ${name}` },
    });
    const remove = named('zoho-books', 'delete-vendor-payment', 'Delete Vendor Payment');
    const get = named('zoho-books', 'get-vendor-payment', 'Get Vendor Payment');
    const ranked = [hit(remove, 1), hit(get, 0.9)];
    expect(readSafe('Zoho Books: delete vendor payment VP-12', ranked)[0].tool).toBe(remove);
    expect(asksToDestroy('Zoho Books: delete vendor payment VP-12', new Set(['zoho', 'books']))).toBe(true);
    // …and a read of that app still gets no destructive action first.
    expect(readSafe('Zoho Books: show vendor payment VP-12', ranked)[0].tool).toBe(get);
  });

  it('reads read/write from the upstream action type before the key', () => {
    expect(actionKind(TOOLS[5])).toBe('write');
    expect(actionKind(TOOLS[6])).toBe('destructive');
    expect(actionKind(getInvoice)).toBe('read');
    expect(actionKind(voidInvoice)).toBe('destructive');
    expect(actionKind(unsubscribe)).toBe('destructive');
  });
});

describe('FusedActionSearch', () => {
  const local = () => new LocalActionSearch(new SearchIndexCache({ maxEntries: 4, maxBytes: 1e8 }));
  const view = viewOf(TOOLS);

  it('is the local ranker alone when no provider is on', async () => {
    const off = new FixedProvider('off', async () => ({ hits: [hit(unsubscribe)], total: 1 }), false);
    const fused = new FusedActionSearch(local());
    fused.useProviders([off]);
    const answer = await fused.search(searchContext(), view, { query: 'list invoices', limit: 3 });
    expect(answer.hits[0].tool).toBe(listInvoices);
    expect(off.calls).toBe(0);
  });

  it('fuses a provider with the local ranking', async () => {
    const provider = new FixedProvider('fixed', async () => ({ hits: [hit(getMember), hit(listInvoices)], total: 2 }));
    const fused = new FusedActionSearch(local());
    fused.useProviders([provider]);
    const answer = await fused.search(searchContext(), view, { query: 'list invoices', limit: 5 });
    expect(answer.hits[0].tool).toBe(listInvoices);
    expect(answer.hits.map((h) => h.tool)).toContain(getMember);
    expect(provider.calls).toBe(1);
  });

  it('leaves out a provider that fails, and keeps read requests safe after fusion', async () => {
    const failing = new FixedProvider('failing', async () => {
      throw new Error('boom');
    });
    const destructiveFirst = new FixedProvider('destructive', async () => ({ hits: [hit(voidInvoice), hit(unsubscribe)], total: 2 }));
    const fused = new FusedActionSearch(local());
    fused.useProviders([failing, destructiveFirst]);
    const answer = await fused.search(searchContext(), view, { query: 'show the invoice', limit: 5 });
    expect(actionKind(answer.hits[0].tool)).not.toBe('destructive');
  });
});

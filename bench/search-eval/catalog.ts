import MiniSearch from 'minisearch';
import { buildToolCatalog } from '../../src/integrations/tool-catalog';
import type { UpstreamAction, UpstreamConnection } from '../../src/integrations/integration-app.gateway';
import { SchemaValidators } from '../../src/tools/schema-validators';
import type { Fixture } from '../../test/emulator/fixture.types';
import type { SourceTool } from '../../src/tools/tool-source';

/** The tool catalog of a fixture's first customer, built as the server builds it (for the search evaluation scripts). */
export function catalogOf(fixture: Fixture) {
  const ws = fixture.workspaces[0];
  const customer = ws.customers[0];
  const connections: UpstreamConnection[] = customer.connections.map((c) => {
    const integration = ws.integrations.find((i) => i.key === c.integrationKey)!;
    return {
      id: c.id,
      name: c.name,
      integrationId: integration.id,
      integrationKey: integration.key,
      integrationName: integration.name,
      disconnected: !!c.disconnected,
      archived: !!c.archived,
    };
  });
  const actions = new Map<string, UpstreamAction[]>(
    ws.integrations.map((i) => [
      i.id,
      i.actions.map((a) => ({
        id: a.id ?? `${i.key}-${a.key}`,
        key: a.key,
        name: a.name,
        description: a.description,
        integrationId: i.id,
        inputSchema: a.inputSchema,
        deactivated: !!a.isDeactivated,
        archived: !!a.archived,
        ...(a.type ? { type: a.type } : {}),
      })),
    ]),
  );
  return buildToolCatalog(connections, actions, new SchemaValidators());
}

/** Plain BM25 over a catalog's text (MiniSearch defaults: no stems, synonyms, field weights, app recognition or intent): the evaluation's baseline. */
export function plainBm25(tools: readonly SourceTool[]): MiniSearch<{ id: number }> {
  const search = new MiniSearch<{ id: number }>({ fields: ['name', 'title', 'app', 'description', 'props'] });
  search.addAll(
    tools.map((t, id) => ({
      id,
      name: t.definition.name,
      title: t.definition.title ?? '',
      app: t.app ?? '',
      description: t.definition.description ?? '',
      props: Object.keys((t.definition.inputSchema as { properties?: object }).properties ?? {}).join(' '),
    })),
  );
  return search;
}

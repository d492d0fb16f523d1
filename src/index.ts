/**
 * The public surface for teams that build on this server (see docs/architecture.md "Extending it" and
 * examples/team-module). Everything else under src/ may change without notice.
 */
export { bootstrap } from './bootstrap';
export { configureApp } from './app.setup';
export { AppModule } from './app.module';
export { McpServerModule } from './mcp-server.module';
export type { McpServerModuleOptions } from './mcp-server.module';
export type { SeamOptions } from './seams.module';

// Tools: add a source, or decorate provider methods.
export { ToolSource, ModeToolSet } from './tools/tool-source';
export type { CallStream, SourceTool, ToolContext, ToolCallContext, ToolMode, ToolView } from './tools/tool-source';
export { McpTool } from './tools/mcp-tool.decorator';
export type { McpToolOptions } from './tools/mcp-tool.decorator';
export { ToolRegistry } from './tools/tool-registry';
export { successResult, errorResult } from './tools/tool-results';
// Search: add a ranking fused with the local one (docs/search.md).
export { ActionSearch, ActionSearchProvider } from './tools/action-search.port';
export type { ActionSearchRequest, ActionSearchResult, RankedAction } from './tools/action-search.port';

// Ports a deployment may implement (with their adapters' contracts in the doc comments).
export { SessionStore } from './sessions/session.store';
export type { SessionLimits, CreateOutcome } from './sessions/session.store';
export type { SessionRecord } from './sessions/session.types';
export { IntegrationAppGateway } from './integrations/integration-app.gateway';
export type { UpstreamAction, UpstreamConnection, UpstreamSelf, RunActionOptions, SearchActionsOptions } from './integrations/integration-app.gateway';
export { UpstreamError } from './integrations/upstream.error';
export { NotificationBus } from './mcp/notifications/notification.bus';
export type { BusMessage } from './mcp/notifications/notification.bus';
export type { Identity } from './auth/identity';
// Telemetry: the OpenTelemetry provider (spans of your own tools join the request's trace).
export { McpTelemetry } from './telemetry/tracing';

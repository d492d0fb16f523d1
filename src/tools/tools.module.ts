import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { searchConfig } from '../config/search.config';
import { LoggingModule } from '../common/logging/logging.module';
import { LimitsModule } from '../limits/limits.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ActionSearch } from './action-search.port';
import { DiscoveryTools, RunTools } from './discovery/discovery-tools';
import { FusedActionSearch } from './discovery/fused-action-search';
import { SEARCH_PROVIDERS } from './discovery/search-providers';
import { EnableTools } from './dynamic/enable-tools';
import { DecoratedToolsSource } from './mcp-tool.decorator';
import { SchemaValidators } from './schema-validators';
import { ToolRegistry } from './tool-registry';

/**
 * The tool registry and the built-in tools that are not Integration.app actions: `enable-tools`
 * (dynamic mode), the discovery tools (search mode; search and describe also in dynamic mode) and
 * every `@McpTool()` method of the application. Sources in other modules
 * (`IntegrationActionsToolSource`, a team's own) are found by discovery: nothing here imports them.
 */
@Module({
  imports: [DiscoveryModule, LimitsModule, SessionsModule, LoggingModule, ConfigModule.forFeature(searchConfig)],
  providers: [
    ToolRegistry,
    EnableTools,
    DiscoveryTools,
    RunTools,
    ...SEARCH_PROVIDERS,
    { provide: ActionSearch, useExisting: FusedActionSearch },
    DecoratedToolsSource,
    SchemaValidators,
  ],
  exports: [ToolRegistry, SchemaValidators],
})
export class ToolsModule {}

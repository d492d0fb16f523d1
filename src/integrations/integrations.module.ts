import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { searchConfig } from '../config/search.config';
import { IntegrationActionsToolSource } from './actions.tool-source';
import { CatalogService } from './catalog.service';
import { IntegrationsService } from './integrations.service';
import { ToolsModule } from '../tools/tools.module';
import { UpstreamActionSearch } from './upstream-action-search';

/**
 * Integration.app for the rest of the server: the shared per-identity catalog (argument validators
 * from the tools module's `SchemaValidators`), running actions (`IntegrationsService`), and the actions as a tool
 * source. The gateway port and its `UpstreamObserver` are bound by `SeamsModule`.
 */
@Module({
  imports: [ToolsModule, ConfigModule.forFeature(searchConfig)],
  providers: [CatalogService, IntegrationsService, IntegrationActionsToolSource, UpstreamActionSearch],
  exports: [CatalogService, IntegrationsService],
})
export class IntegrationsModule {}

import { Module } from '@nestjs/common';
import { IntegrationActionsToolSource } from './actions.tool-source';
import { CatalogService } from './catalog.service';
import { IntegrationsService } from './integrations.service';
import { ToolsModule } from '../tools/tools.module';

/**
 * Integration.app for the rest of the server: the shared per-identity catalog (argument validators
 * from the tools module's `SchemaValidators`), running actions (`IntegrationsService`), and the actions as a tool
 * source. The gateway port and its `UpstreamObserver` are bound by `SeamsModule`.
 */
@Module({
  imports: [ToolsModule],
  providers: [CatalogService, IntegrationsService, IntegrationActionsToolSource],
  exports: [CatalogService, IntegrationsService],
})
export class IntegrationsModule {}

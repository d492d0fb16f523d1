import { Module } from '@nestjs/common';
import { MetricsModule } from '../telemetry/metrics.module';
import { MetricsUpstreamObserver } from '../telemetry/metrics.observers';
import { IntegrationActionsToolSource } from './actions.tool-source';
import { CatalogService } from './catalog.service';
import { IntegrationsService } from './integrations.service';
import { IntegrationAppGateway } from './integration-app.gateway';
import { SchemaValidators } from '../tools/schema-validators';
import { SdkIntegrationAppGateway } from './sdk-integration-app.gateway';
import { UpstreamObserver } from './upstream.observer';

/**
 * Integration.app access: the gateway port (SDK adapter) and the shared per-identity tool catalog,
 * whose argument validators come from the `SchemaValidators` provider.
 * Upstream latency goes to the `UpstreamObserver` port, bound here to the metrics adapter from the
 * leaf MetricsModule (which imports nothing back).
 */
@Module({
  imports: [MetricsModule],
  providers: [
    { provide: IntegrationAppGateway, useClass: SdkIntegrationAppGateway },
    { provide: UpstreamObserver, useExisting: MetricsUpstreamObserver },
    SchemaValidators,
    CatalogService,
    IntegrationsService,
    IntegrationActionsToolSource,
  ],
  exports: [IntegrationAppGateway, CatalogService, IntegrationsService],
})
export class IntegrationsModule {}

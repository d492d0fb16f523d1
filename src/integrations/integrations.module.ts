import { Module } from '@nestjs/common';
import { MetricsModule } from '../health/metrics.module';
import { CatalogService } from './catalog.service';
import { IntegrationAppGateway } from './integration-app.gateway';
import { SdkIntegrationAppGateway } from './sdk-integration-app.gateway';

/** Integration.app access: the gateway port (SDK adapter) and the shared per-identity tool catalog. */
@Module({
  imports: [MetricsModule],
  providers: [{ provide: IntegrationAppGateway, useClass: SdkIntegrationAppGateway }, CatalogService],
  exports: [IntegrationAppGateway, CatalogService],
})
export class IntegrationsModule {}

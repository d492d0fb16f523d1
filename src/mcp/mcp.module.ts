import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ConnectModule } from '../connect/connect.module';
import { IntegrationsModule } from '../integrations/integrations.module';
import { LimitsModule } from '../limits/limits.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ToolsModule } from '../tools/tools.module';
import { ConnectedAppsNotifier } from './notifications/connected-apps.notifier';
import { InFlightRequests } from './notifications/in-flight.requests';
import { McpServerFactory } from './mcp-server.factory';
import { NotificationHub } from './notifications/notification.hub';
import { OpenStreams } from './open-streams';
import { StatelessHttpService } from './stateless/stateless-http.service';
import { StatelessServerFactory } from './stateless/stateless-server.factory';
import { SessionEraProtocol } from './session-era/session-era.protocol';
import { McpEndpoint } from './transports/mcp-endpoint';
import { SseController } from './transports/sse.controller';
import { SseService } from './transports/sse.service';
import { StreamableHttpController } from './transports/streamable-http.controller';
import { StreamableHttpService } from './transports/streamable-http.service';

/** MCP transports, the per-request MCP server over the tool registry, and server→client notifications. */
@Module({
  imports: [AuthModule, IntegrationsModule, SessionsModule, ToolsModule, LimitsModule, ConnectModule],
  controllers: [StreamableHttpController, SseController],
  providers: [
    McpEndpoint,
    McpServerFactory,
    SessionEraProtocol,
    NotificationHub,
    ConnectedAppsNotifier,
    InFlightRequests,
    StreamableHttpService,
    SseService,
    StatelessServerFactory,
    StatelessHttpService,
    OpenStreams,
  ],
  exports: [OpenStreams],
})
export class McpModule {}

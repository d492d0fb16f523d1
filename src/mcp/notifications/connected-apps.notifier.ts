import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConnectService } from '../../connect/connect.service';
import { NotificationHub } from './notification.hub';

/**
 * When an app connected through a connect link appears, the session that asked for the link is
 * sent `notifications/tools/list_changed` on its notification stream (wherever in the cluster it is).
 */
@Injectable()
export class ConnectedAppsNotifier implements OnModuleInit {
  private readonly logger = new Logger(ConnectedAppsNotifier.name);

  constructor(
    private readonly connect: ConnectService,
    private readonly hub: NotificationHub,
  ) {}

  onModuleInit(): void {
    this.connect.onAppConnected(({ sessionId }) => {
      if (!sessionId) return;
      this.hub.publish(sessionId, 'notifications/tools/list_changed').catch((err: Error) => this.logger.debug(`list_changed not sent: ${err.message}`));
    });
  }
}

import { Injectable } from '@nestjs/common';
import { NotificationHub } from './notifications/notification.hub';
import { SseService } from './transports/sse.service';

/**
 * The server→client streams of both transports, as the rest of the server sees them: how many are
 * open (a gauge) and closing them all at shutdown. Health and shutdown use this, not the
 * transports' internals.
 */
@Injectable()
export class OpenStreams {
  constructor(
    private readonly hub: NotificationHub,
    private readonly sse: SseService,
  ) {}

  get count(): number {
    return this.hub.openStreams + this.sse.openStreams;
  }

  /** Ends every stream (session-era GET streams and legacy SSE streams) so clients reconnect elsewhere. */
  closeAll(): void {
    this.hub.beforeApplicationShutdown();
    this.sse.beforeApplicationShutdown();
  }
}

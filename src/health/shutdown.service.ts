import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { appConfig, AppConfig } from '../config/app.config';
import { NotificationHub } from '../mcp/notification.hub';
import { SseService } from '../mcp/sse.service';

/**
 * Graceful shutdown: stop accepting connections, report not-ready, close server→client streams
 * (clients reconnect to another replica), let in-flight requests finish up to `SHUTDOWN_GRACE_MS`,
 * then cut what is left. Runs before Nest's module teardown so stores are still open while draining.
 */
@Injectable()
export class ShutdownService {
  private readonly logger = new Logger(ShutdownService.name);
  private inFlight = 0;
  private draining = false;
  private idle?: () => void;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly hub: NotificationHub,
    private readonly sse: SseService,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** Counts in-flight requests (long-lived streams excluded: they are closed, not awaited). */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' && (req.path === '/sse' || req.path === '/mcp')) return next();
    this.inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) this.idle?.();
    };
    res.once('finish', finish);
    res.once('close', finish);
    if (this.draining) res.setHeader('Connection', 'close');
    next();
  };

  async drain(server: Server): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const grace = this.config.shutdownGraceMs;
    this.logger.log(`Shutting down: draining ${this.inFlight} in-flight request(s), grace ${grace} ms`);
    server.close();
    server.closeIdleConnections();
    this.hub.beforeApplicationShutdown();
    this.sse.beforeApplicationShutdown();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, grace);
        timer.unref();
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    if (this.inFlight > 0) this.logger.warn(`Grace period over; closing ${this.inFlight} request(s) still in flight`);
    server.closeAllConnections();
  }
}

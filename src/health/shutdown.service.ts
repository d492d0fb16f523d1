import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { appConfig, AppConfig } from '../config/app.config';
import { resourcePath } from '../common/mode-paths';
import { OpenStreams } from '../mcp/open-streams';

/**
 * Graceful shutdown, driven by `bootstrap.ts` on SIGTERM/SIGINT: stop accepting connections and
 * report not-ready, let in-flight requests finish (up to `SHUTDOWN_GRACE_MS`), close server→client
 * streams (clients reconnect to another replica), then cut whatever is left. Runs before Nest's
 * module teardown (`app.close()`), so the session store is still open while requests drain.
 */
@Injectable()
export class ShutdownService {
  private readonly logger = new Logger(ShutdownService.name);
  private inFlight = 0;
  private draining = false;
  private server?: Server;
  private idle?: () => void;

  constructor(
    @Inject(appConfig.KEY) private readonly config: AppConfig,
    private readonly streams: OpenStreams,
  ) {}

  get isDraining(): boolean {
    return this.draining;
  }

  get inFlightRequests(): number {
    return this.inFlight;
  }

  /** Counts in-flight requests (long-lived GET streams excluded: they are closed, not awaited). */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === 'GET' && (req.path === '/sse' || resourcePath(req.path) === req.path)) return next();
    this.inFlight++;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      // While draining, a keep-alive connection that just went idle is closed at once, so the
      // client's next request opens a new connection (to another replica) instead of landing here.
      if (this.draining) setImmediate(() => this.server?.closeIdleConnections());
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
    this.server = server;
    const grace = this.config.shutdownGraceMs;
    this.logger.log(`Shutting down: draining ${this.inFlight} in-flight request(s), grace ${grace} ms`);
    server.close();
    server.closeIdleConnections();
    if (this.inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, grace);
        this.idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.idle = undefined;
    }
    if (this.inFlight > 0) this.logger.warn(`Grace period over; closing ${this.inFlight} request(s) still in flight`);
    this.streams.closeAll();
    server.closeAllConnections();
  }
}

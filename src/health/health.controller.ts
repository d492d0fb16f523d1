import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { Response } from 'express';
import { redactSecrets } from '../common/redact';
import { SessionStore } from '../sessions/session.store';
import { ShutdownService } from './shutdown.service';

const PING_TIMEOUT_MS = 1500;

/** Kubernetes probes. No auth; nothing about callers is revealed. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: SessionStore,
    private readonly shutdown: ShutdownService,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready for traffic: not shutting down, and the session store (Redis when configured) answers a
   * ping within 1.5 s. Otherwise 503 with terminus' own body (which check is down and why).
   */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.lifecycle(), () => this.sessionStore()]);
    } catch (err) {
      // Keep terminus' body; the global filter would flatten it into a generic error.
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503);
      return err.getResponse() as HealthCheckResult;
    }
  }

  private lifecycle(): HealthIndicatorResult {
    const check = this.indicators.check('lifecycle');
    return this.shutdown.isDraining ? check.down({ message: 'shutting down' }) : check.up();
  }

  private async sessionStore(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('sessionStore');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.store.ping(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
        }),
      ]);
      return check.up();
    } catch (err) {
      return check.down({ message: redactSecrets(err instanceof Error ? err.message : String(err)) });
    } finally {
      clearTimeout(timer);
    }
  }
}

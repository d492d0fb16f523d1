import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
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

  /** Ready for traffic: not shutting down, and the session store (Redis when configured) answers. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const check = this.indicators.check('lifecycle');
        if (this.shutdown.isDraining) throw new ServiceUnavailableException(check.down({ message: 'shutting down' }));
        return check.up();
      },
      async () => {
        const check = this.indicators.check('sessionStore');
        try {
          await Promise.race([
            this.store.ping(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('ping timed out')), PING_TIMEOUT_MS).unref()),
          ]);
          return check.up();
        } catch (err) {
          return check.down({ message: (err as Error).message });
        }
      },
    ]);
  }
}

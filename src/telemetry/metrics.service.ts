import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { authFailureOf } from '../common/auth-failure';
import { AUTH_FAILURE_REASONS } from '../common/domain.errors';

/**
 * Prometheus metrics in a registry of this app's own (several apps in one process never clash).
 * Labels are bounded: route patterns (never raw URLs or query strings), integration keys, outcomes.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly httpRequests = new Counter({
    name: 'mcp_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  private readonly httpDuration = new Histogram({
    name: 'mcp_http_request_duration_seconds',
    help: 'HTTP request duration (streams excluded)',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly authFailures = new Counter({
    name: 'mcp_auth_failures_total',
    help: `Requests refused 401, by reason (${AUTH_FAILURE_REASONS.join(', ')})`,
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly toolCalls = new Counter({
    name: 'mcp_tool_calls_total',
    help: 'Tool calls by integration and outcome (success, invalid_arguments, or the upstream error kind)',
    labelNames: ['integration', 'outcome'],
    registers: [this.registry],
  });
  private readonly toolDuration = new Histogram({
    name: 'mcp_tool_call_duration_seconds',
    help: 'Duration of tool calls that reached Integration.app',
    labelNames: ['integration'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'mcp_upstream_request_duration_seconds',
    help: 'Integration.app request duration by operation and outcome',
    labelNames: ['operation', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  /** Gauges whose values are read at scrape time, registered by the modules that own the numbers. */
  readonly openSessions = new Gauge({ name: 'mcp_open_sessions', help: 'Sessions alive in the session store', registers: [this.registry] });
  readonly openStreams = new Gauge({ name: 'mcp_open_streams', help: 'Server→client streams held by this replica', registers: [this.registry] });
  readonly cachedCatalogs = new Gauge({ name: 'mcp_cached_catalogs', help: 'Customers whose tool catalog is cached', registers: [this.registry] });
  private readonly collectors: Array<() => Promise<void> | void> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs before every scrape to refresh gauges. */
  onCollect(fn: () => Promise<void> | void): void {
    this.collectors.push(fn);
  }

  async render(): Promise<string> {
    await Promise.all(
      this.collectors.map(async (fn) => {
        try {
          await fn();
        } catch {
          /* a failing source leaves its gauge as it was */
        }
      }),
    );
    return this.registry.metrics();
  }

  recordToolCall(integration: string, outcome: string, durationMs: number): void {
    this.toolCalls.inc({ integration, outcome });
    if (outcome !== 'invalid_arguments') this.toolDuration.observe({ integration }, durationMs / 1000);
  }

  recordUpstream(operation: string, outcome: string, durationMs: number): void {
    this.upstreamDuration.observe({ operation, outcome }, durationMs / 1000);
  }

  /**
   * Express middleware counting requests by route pattern (`req.route`, set by the router; never the
   * raw URL) once their connection is done with them — `close` also covers streams the client dropped.
   */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.once('close', () => {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      // Nest answers unknown paths from a catch-all route (`/{*path}`): those are `unmatched` too.
      const route = typeof routePath === 'string' && !routePath.includes('*') ? `${req.baseUrl ?? ''}${routePath}` : 'unmatched';
      this.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      const authFailure = authFailureOf(res);
      if (authFailure) this.authFailures.inc({ reason: authFailure });
      if (!String(res.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
        this.httpDuration.observe({ method: req.method, route }, (performance.now() - started) / 1000);
      }
    });
    next();
  };
}

import { UnauthorizedError } from '../common/domain.errors';
import type { AppConfig } from '../config/app.config';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

function controller(auth: Partial<AppConfig>): { ctl: MetricsController; metrics: MetricsService } {
  const metrics = new MetricsService();
  const config = { metricsRequireAuth: false, metricsToken: undefined, ...auth } as AppConfig;
  return { ctl: new MetricsController(metrics, config), metrics };
}

describe('MetricsController', () => {
  it('serves the registry without auth by default', async () => {
    const { ctl, metrics } = controller({});
    metrics.recordToolCall('gmail', 'success', 12);
    const text = await ctl.scrape();
    expect(text).toContain('mcp_tool_calls_total{integration="gmail",outcome="success"} 1');
    expect(text).toContain('# TYPE mcp_upstream_request_duration_seconds histogram');
  });

  it('with METRICS_REQUIRE_AUTH, accepts only "Bearer <METRICS_TOKEN>" (scheme case-insensitive)', async () => {
    const { ctl } = controller({ metricsRequireAuth: true, metricsToken: 'scrape-secret' });
    for (const header of [
      undefined,
      '',
      'scrape-secret',
      'Bearer',
      'Bearer scrape-secre',
      'Bearer scrape-secret-and-more',
      'Basic scrape-secret',
      'Bearer scrape secret',
    ]) {
      expect(() => ctl.scrape(header)).toThrow(UnauthorizedError);
    }
    await expect(ctl.scrape('Bearer scrape-secret')).resolves.toContain('mcp_http_requests_total');
    await expect(ctl.scrape('bearer scrape-secret')).resolves.toContain('mcp_http_requests_total');
  });

  it('never lets an empty token through, even if the config were to allow it', () => {
    const { ctl } = controller({ metricsRequireAuth: true, metricsToken: '' });
    expect(() => ctl.scrape('Bearer ')).toThrow(UnauthorizedError);
  });

  it('keeps a failing gauge source from breaking the scrape', async () => {
    const { ctl, metrics } = controller({});
    metrics.onCollect(() => {
      throw new Error('store down');
    });
    metrics.onCollect(() => metrics.openStreams.set(3));
    await expect(ctl.scrape()).resolves.toContain('mcp_open_streams 3');
  });
});

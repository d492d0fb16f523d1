import { Module } from '@nestjs/common';
import { runsConfig, RunsConfig } from '../config/app.config';
import { ActionRuns } from './action-runs.service';
import { GetActionResultTool } from './get-action-result.tool';
import { MemoryRunStore } from './memory-run.store';
import { RedisRunStore } from './redis-run.store';
import { RunStore } from './run.store';

/**
 * Long-running actions (SPEC §18): the registry's `ToolCallRunner` (progress, run handles), the
 * `get-action-result` tool, and the run store — Redis (`<prefix>run:…`) when `REDIS_URL` is set, so
 * any replica answers; else in memory. The registry finds the runner and the tool at start-up.
 */
@Module({
  providers: [
    {
      provide: RunStore,
      inject: [runsConfig.KEY],
      useFactory: (config: RunsConfig): RunStore =>
        config.redisUrl ? new RedisRunStore(config.redisUrl, config.redisKeyPrefix, config.redisReadyTimeoutMs) : new MemoryRunStore(),
    },
    ActionRuns,
    GetActionResultTool,
  ],
  exports: [RunStore, ActionRuns],
})
export class RunsModule {}

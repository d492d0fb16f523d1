import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { identityOf } from '../auth/identity';
import { RpcError } from '../common/json-rpc';
import pino from 'pino';
import { ROOT_LOGGER } from '../common/logging/logging.module';
import { appConfig } from '../config/app.config';
import { MemoryRateLimiterStore, RateLimiterStore } from '../limits/rate-limit';
import { TenantLimits } from '../limits/tenant-limits';
import { ToolCallObserver } from './tool-call.observer';
import { ToolRegistry } from './tool-registry';
import { CallStream, ModeToolSet, SourceTool, ToolCallContext, ToolContext, ToolMode, ToolSource, ToolView } from './tool-source';

const tool = (name: string, app?: string, aliases?: string[]): SourceTool => ({
  definition: { name, description: name, inputSchema: { type: 'object', properties: {} } },
  ...(app ? { app } : {}),
  ...(aliases ? { aliases } : {}),
});

/** A caller-dependent source (like the Integration.app actions): one memoized array per customer. */
@Injectable()
class ActionsSource extends ToolSource {
  readonly sourceName = 'actions';
  readonly perCustomer = new Map<string, SourceTool[]>([
    ['c1', [tool('gmail_send', 'gmail', ['gmail-send']), tool('gmail_list', 'gmail'), tool('slack_post', 'slack'), tool('shared_name', 'x')]],
    ['c2', [tool('notion_search', 'notion')]],
  ]);
  readonly calls: string[] = [];
  release?: () => void;
  async list(ctx: ToolContext): Promise<readonly SourceTool[]> {
    return this.perCustomer.get(ctx.identity.customerId) ?? [];
  }
  async call(_ctx: ToolCallContext, t: SourceTool, args: Record<string, unknown>): Promise<CallToolResult> {
    this.calls.push(t.definition.name);
    if (args.wait) await new Promise<void>((r) => (this.release = r));
    if (args.fail) return { content: [{ type: 'text', text: 'no' }], isError: true, structuredContent: { error: { type: 'action_failed' } } };
    return { content: [{ type: 'text', text: 'ok' }] };
  }
}

/** A fixed-name source (like a team's module). */
@Injectable()
class TeamSource extends ToolSource {
  readonly sourceName: string = 'team';
  private readonly tools = [tool('shared_name', 'team'), tool('team_lookup')];
  override reservedNames(): readonly string[] {
    return this.tools.map((t) => t.definition.name);
  }
  async list(): Promise<readonly SourceTool[]> {
    return this.tools;
  }
  async call(): Promise<CallToolResult> {
    return { content: [{ type: 'text', text: 'team' }] };
  }
}

@Injectable()
class Enable extends ModeToolSet {
  readonly modes = ['dynamic'] as const;
  readonly names = ['enable-tools'];
  definitions(view: ToolView): readonly Tool[] {
    return [{ name: 'enable-tools', description: `apps: ${view.apps.join(',')}`, inputSchema: { type: 'object' } }];
  }
  async call(_ctx: ToolCallContext, _name: string, _args: Record<string, unknown>, view: ToolView): Promise<CallToolResult> {
    return { content: [{ type: 'text', text: view.tools.map((t) => t.definition.name).join(',') }] };
  }
}

class RecordingObserver extends ToolCallObserver {
  readonly outcomes: string[] = [];
  override record(label: string, outcome: string): void {
    this.outcomes.push(`${label}:${outcome}`);
  }
}

async function makeRegistry(extra: Array<new (...args: never[]) => unknown> = [], maxConcurrent = 10) {
  const observer = new RecordingObserver();
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      ToolRegistry,
      TenantLimits,
      { provide: RateLimiterStore, useClass: MemoryRateLimiterStore },
      ActionsSource,
      TeamSource,
      Enable,
      ...extra,
      { provide: ToolCallObserver, useValue: observer },
      { provide: ROOT_LOGGER, useValue: pino({ level: 'silent' }) },
      {
        provide: appConfig.KEY,
        useValue: { rateLimitPerMinute: 0, maxStreamsPerIdentity: 5, maxConcurrentCallsPerIdentity: maxConcurrent, tokenChecksPerMinute: 5 },
      },
    ],
  }).compile();
  const app = moduleRef.createNestApplication();
  await app.init();
  return { registry: app.get(ToolRegistry), actions: app.get(ActionsSource), observer, close: () => app.close() };
}

const ctx = (over: Partial<ToolCallContext> = {}): ToolCallContext => ({
  identity: identityOf('ws', 'c1'),
  token: 't',
  era: 'session',
  mode: 'static',
  apps: null,
  enabledTools: [],
  ...over,
});

describe('ToolRegistry', () => {
  it('merges every source; a fixed name wins over a caller-dependent one; lists are deterministic', async () => {
    const { registry, close } = await makeRegistry();
    const names = (await registry.list(ctx())).map((t) => t.name);
    // Sorted by name whatever order the sources list them in (one order for one set of tools).
    expect(names).toEqual(['gmail_list', 'gmail_send', 'shared_name', 'slack_post', 'team_lookup']);
    expect((await registry.list(ctx({ identity: identityOf('ws', 'c2') }))).map((t) => t.name)).toEqual(['notion_search', 'shared_name', 'team_lookup']);
    await close();
  });

  it('applies apps to every source: tools without an app are hidden when apps is set', async () => {
    const { registry, close } = await makeRegistry();
    expect((await registry.list(ctx({ apps: ['gmail', 'team'] }))).map((t) => t.name)).toEqual(['gmail_list', 'gmail_send', 'shared_name']);
    await expect(registry.call(ctx({ apps: ['gmail'] }), 'slack_post', {})).rejects.toBeInstanceOf(RpcError);
    await close();
  });

  it('serves dynamic mode: mode tools first, then enabled tools of any source; others are not callable', async () => {
    const { registry, close } = await makeRegistry();
    const dynamic = ctx({ mode: 'dynamic', enabledTools: ['team_lookup', 'gmail_send', 'gone'] });
    expect((await registry.list(dynamic)).map((t) => t.name)).toEqual(['enable-tools', 'team_lookup', 'gmail_send']);
    await expect(registry.call(dynamic, 'gmail_list', {})).rejects.toThrow(/not enabled in this session; call enable-tools/);
    expect((await registry.call(dynamic, 'gmail_send', {})).content).toEqual([{ type: 'text', text: 'ok' }]);
    // Mode tools see every tool of the caller's apps, enabled or not.
    expect((await registry.call(dynamic, 'enable-tools', {})).content).toEqual([
      { type: 'text', text: 'shared_name,team_lookup,gmail_send,gmail_list,slack_post' },
    ]);
    // In static mode, mode tools of dynamic mode do not exist.
    await expect(registry.call(ctx(), 'enable-tools', {})).rejects.toThrow(/Unknown tool: "enable-tools"/);
    await close();
  });

  it('answers an unknown tool with -32602 and close names', async () => {
    const { registry, close } = await makeRegistry();
    const err = (await registry.call(ctx(), 'gmail_sned', {}).catch((e: unknown) => e)) as RpcError;
    expect(err.code).toBe(-32602);
    expect(err.message).toBe('Unknown tool: "gmail_sned". Did you mean: gmail_send?');
    await close();
  });

  it('caches the serialized static list per view and per source answer, and rebuilds it when a source answers anew', async () => {
    const { registry, actions, close } = await makeRegistry();
    const first = await registry.listJson(ctx());
    expect(await registry.listJson(ctx())).toBe(first);
    expect(JSON.parse(first!).tools).toHaveLength(5);
    expect(await registry.listJson(ctx({ mode: 'dynamic' }))).toBeUndefined();
    actions.perCustomer.set('c1', [tool('gmail_send', 'gmail')]);
    expect(JSON.parse((await registry.listJson(ctx()))!).tools.map((t: Tool) => t.name)).toEqual(['gmail_send', 'shared_name', 'team_lookup']);
    await close();
  });

  it('resolves aliases and apps for mode tools, case-insensitively', async () => {
    const { registry, close } = await makeRegistry();
    const view = await registry.view(ctx());
    expect(view.resolve('GMAIL-SEND')?.definition.name).toBe('gmail_send');
    expect(view.appTools('Gmail').map((t) => t.definition.name)).toEqual(['gmail_send', 'gmail_list']);
    expect(view.apps).toEqual(['gmail', 'slack', 'team']);
    expect(view.suggest('slack_pots')).toEqual(['slack_post']);
    await close();
  });

  it('records outcomes per app (or source) and holds one concurrency slot per running call', async () => {
    const { registry, actions, observer, close } = await makeRegistry([], 1);
    await registry.call(ctx(), 'gmail_send', { fail: true });
    await registry.call(ctx(), 'team_lookup', {});
    const running = registry.call(ctx(), 'gmail_list', { wait: true });
    await new Promise((r) => setImmediate(r));
    const refused = await registry.call(ctx(), 'gmail_send', {});
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: { type: 'rate_limited', limit: 1 } } });
    // Another identity has its own slots.
    expect((await registry.call(ctx({ identity: identityOf('ws', 'c2') }), 'notion_search', {})).isError).toBeUndefined();
    actions.release!();
    await running;
    expect((await registry.call(ctx(), 'gmail_send', {})).isError).toBeUndefined();
    expect(observer.outcomes).toEqual(['gmail:action_failed', 'team:success', 'gmail:rate_limited', 'notion:success', 'gmail:success', 'gmail:success']);
    await close();
  });

  it('refuses to start when two sources reserve one name', async () => {
    @Injectable()
    class Clash extends TeamSource {
      override readonly sourceName = 'clash';
    }
    await expect(makeRegistry([Clash])).rejects.toThrow(
      'Tool name "shared_name" is offered by both tool source "team" and tool source "clash": rename one of them (tool names must be unique).',
    );
  });
});

/** A team's source whose tool notifies on its request's stream (like a mode tool can). */
@Injectable()
class NotifyingSource extends ToolSource {
  readonly sourceName: string = 'notifying';
  override readonly callStreams: Readonly<Record<string, CallStream>> = { team_sync: 'notifies' };
  async list(): Promise<readonly SourceTool[]> {
    return [tool('team_sync')];
  }
  async call(): Promise<CallToolResult> {
    return { content: [] };
  }
}

/** A mode tool that elicits on its request's stream (like connect-app). */
@Injectable()
class Connect extends ModeToolSet {
  readonly modes = ['static', 'dynamic', 'search'] as const;
  readonly names = ['connect-x'];
  override readonly callStreams: Readonly<Record<string, CallStream>> = { 'connect-x': 'elicits' };
  definitions(): readonly Tool[] {
    return [{ name: 'connect-x', inputSchema: { type: 'object' } }];
  }
  async call(): Promise<CallToolResult> {
    return { content: [] };
  }
}

describe('ToolRegistry: tool decisions', () => {
  it('says what a call sends on its stream as sources and mode tools declare it (callStreams), nothing for the rest', async () => {
    const { registry, close } = await makeRegistry([NotifyingSource, Connect]);
    expect(registry.callStream('team_sync')).toBe('notifies');
    expect(registry.callStream('connect-x')).toBe('elicits');
    expect(registry.callStream('enable-tools')).toBeUndefined();
    expect(registry.callStream('team_lookup')).toBeUndefined();
    expect(registry.callStream('gmail_send')).toBeUndefined();
    await close();
  });

  it('refuses to start when two declarations disagree on what one tool sends on its stream', async () => {
    @Injectable()
    class Eliciting extends ToolSource {
      readonly sourceName = 'eliciting';
      override readonly callStreams: Readonly<Record<string, CallStream>> = { team_sync: 'elicits' };
      async list(): Promise<readonly SourceTool[]> {
        return [];
      }
      async call(): Promise<CallToolResult> {
        return { content: [] };
      }
    }
    await expect(makeRegistry([NotifyingSource, Eliciting])).rejects.toThrow(/Tool "team_sync": .* one tool, one declaration\./);
  });

  it.each<[ToolContext['era'], ToolMode, ToolMode]>([
    ['stateless', 'dynamic', 'search'],
    ['stateless', 'search', 'search'],
    ['stateless', 'static', 'static'],
    ['session', 'dynamic', 'dynamic'],
    ['session', 'search', 'search'],
    ['session', 'static', 'static'],
  ])('serves, in the %s era, mode %s as %s', async (era, requested, served) => {
    const { registry, close } = await makeRegistry();
    expect(registry.servedMode(era, requested)).toBe(served);
    await close();
  });

  it("serves the 2026 era's dynamic request without enable-tools (its list cannot change during a conversation)", async () => {
    const { registry, close } = await makeRegistry();
    const served = ctx({ era: 'stateless', mode: registry.servedMode('stateless', 'dynamic') });
    expect((await registry.list(served)).map((t) => t.name)).not.toContain('enable-tools');
    expect((await registry.list(ctx({ mode: registry.servedMode('session', 'dynamic') }))).map((t) => t.name)).toEqual(['enable-tools']);
    await close();
  });
});

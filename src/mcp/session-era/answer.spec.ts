import { Injectable } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import pino from 'pino';
import { ROOT_LOGGER } from '../../common/logging/logging.module';
import { appConfig } from '../../config/app.config';
import { MemoryRateLimiterStore, RateLimiterStore } from '../../limits/rate-limit';
import { TenantLimits } from '../../limits/tenant-limits';
import { ToolCallObserver } from '../../tools/tool-call.observer';
import { ToolRegistry } from '../../tools/tool-registry';
import { CallStream, ModeToolSet, ToolMode, ToolView } from '../../tools/tool-source';
import { parseJsonRpcBody } from '../json-rpc-body';
import { sessionEraAnswer } from './answer';

/*
 * How the session era answers a POST (SessionEraProtocol.answer), against a real ToolRegistry: the
 * tools whose calls use their request's stream are the registry's to say (ModeToolSet.callStreams),
 * not names the protocol layer knows.
 */

const defs = (names: readonly string[]): Tool[] => names.map((name) => ({ name, inputSchema: { type: 'object' } }));
const noop = async (): Promise<CallToolResult> => ({ content: [] });

/** Like `enable-tools`: announces list_changed on its request's stream. */
@Injectable()
class Notifying extends ModeToolSet {
  readonly modes: readonly ToolMode[] = ['dynamic'];
  readonly names = ['enable-tools'];
  override readonly callStreams: Readonly<Record<string, CallStream>> = { 'enable-tools': 'notifies' };
  definitions(_view: ToolView): readonly Tool[] {
    return defs(this.names);
  }
  call(): Promise<CallToolResult> {
    return noop();
  }
}

/** Like `connect-app`: offers a URL elicitation on its request's stream. */
@Injectable()
class Eliciting extends ModeToolSet {
  readonly modes: readonly ToolMode[] = ['static', 'dynamic', 'search'];
  readonly names = ['list-apps', 'connect-app'];
  override readonly callStreams: Readonly<Record<string, CallStream>> = { 'connect-app': 'elicits' };
  definitions(_view: ToolView): readonly Tool[] {
    return defs(this.names);
  }
  call(): Promise<CallToolResult> {
    return noop();
  }
}

async function registryWith(modeTools: Array<new (...args: never[]) => ModeToolSet>) {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      ToolRegistry,
      TenantLimits,
      { provide: RateLimiterStore, useClass: MemoryRateLimiterStore },
      ...modeTools,
      { provide: ToolCallObserver, useValue: new ToolCallObserver() },
      { provide: ROOT_LOGGER, useValue: pino({ level: 'silent' }) },
      { provide: appConfig.KEY, useValue: { rateLimitPerMinute: 0, maxStreamsPerIdentity: 5, maxConcurrentCallsPerIdentity: 10, tokenChecksPerMinute: 5 } },
    ],
  }).compile();
  const app = moduleRef.createNestApplication();
  await app.init();
  return { registry: app.get(ToolRegistry), close: () => app.close() };
}

const call = (name: string, meta?: Record<string, unknown>, id: number | null = 1) => ({
  jsonrpc: '2.0',
  ...(id === null ? {} : { id }),
  method: 'tools/call',
  params: { name, arguments: {}, ...(meta ? { _meta: meta } : {}) },
});
const list = (id: number | null = 1) => ({ jsonrpc: '2.0', ...(id === null ? {} : { id }), method: 'tools/list' });

describe('sessionEraAnswer', () => {
  let registry: ToolRegistry;
  let close: () => Promise<void>;
  beforeAll(async () => ({ registry, close } = await registryWith([Notifying, Eliciting])));
  afterAll(() => close());

  const answer = (body: unknown, session: { mode?: ToolMode; clientElicitsUrl?: true } = {}) =>
    sessionEraAnswer(parseJsonRpcBody(body), Array.isArray(body), { mode: session.mode ?? 'static', clientElicitsUrl: session.clientElicitsUrl }, registry);

  it('streams a call of a tool that notifies on its request stream (enable-tools), whatever the mode', () => {
    expect(answer(call('enable-tools'), { mode: 'dynamic' })).toBe('stream');
    // Refused in static mode, but refused the same way it always was: on the stream.
    expect(answer(call('enable-tools'), { mode: 'static' })).toBe('stream');
    // A notification is no call (the SDK answers nothing to it).
    expect(answer(call('enable-tools', undefined, null), { mode: 'dynamic' })).toBe('json');
  });

  it('streams a call with a progressToken (any tool, any token value)', () => {
    expect(answer(call('gmail_send', { progressToken: 'p' }))).toBe('stream');
    expect(answer(call('gmail_send', { progressToken: 0 }))).toBe('stream');
    expect(answer(call('gmail_send', {}))).toBe('json');
    expect(answer(call('gmail_send', { progressToken: 'p' }, null))).toBe('json');
    expect(answer({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: { progressToken: 'p' } } }, { mode: 'dynamic' })).toBe('json');
  });

  it('streams connect-app only for a client that declared URL elicitation', () => {
    expect(answer(call('connect-app'), { clientElicitsUrl: true })).toBe('stream');
    expect(answer(call('connect-app'))).toBe('json');
    expect(answer(call('list-apps'), { clientElicitsUrl: true })).toBe('json');
  });

  it('answers a batch as a stream when any call in it streams, else as JSON, never from the cached list', () => {
    expect(answer([call('gmail_send'), call('enable-tools')], { mode: 'dynamic' })).toBe('stream');
    expect(answer([call('gmail_send'), call('gmail_list', { progressToken: 'p' })])).toBe('stream');
    expect(answer([call('gmail_send'), call('gmail_list')])).toBe('json');
    expect(answer([list()])).toBe('json');
    expect(answer([list(1), list(2)])).toBe('json');
  });

  it('answers a plain call as JSON', () => {
    expect(answer(call('gmail_send'))).toBe('json');
    expect(answer(call('gmail_send'), { clientElicitsUrl: true, mode: 'dynamic' })).toBe('json');
  });

  it('answers a lone tools/list from the cached list when the registry shares it (static mode) only', () => {
    expect(answer(list())).toBe('cached-list');
    expect(answer(list(), { mode: 'dynamic' })).toBe('json');
    expect(answer(list(), { mode: 'search' })).toBe('json');
    expect(answer(list(null))).toBe('json');
    expect(answer({ jsonrpc: '2.0', id: 1, method: 'ping' })).toBe('json');
  });

  it('takes the tools that stream from the registry, not from their names', async () => {
    const bare = await registryWith([]);
    try {
      const messages = parseJsonRpcBody(call('enable-tools'));
      expect(sessionEraAnswer(messages, false, { mode: 'dynamic' }, bare.registry)).toBe('json');
      expect(sessionEraAnswer(parseJsonRpcBody(call('connect-app')), false, { mode: 'static', clientElicitsUrl: true }, bare.registry)).toBe('json');
    } finally {
      await bare.close();
    }
  });
});

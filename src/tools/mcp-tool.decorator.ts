import { Injectable, Logger, OnApplicationBootstrap, SetMetadata } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { CallToolResult, Tool, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { redactSecrets } from '../common/redact';
import { ArgumentsValidator, SchemaValidators } from './schema-validators';
import { errorResult, invalidArgumentsResult, successResult } from './tool-results';
import { SourceTool, ToolCallContext, ToolContext, ToolSource } from './tool-source';

const MCP_TOOL = Symbol('mcpTool');

/** What `@McpTool()` declares: the tool as listed, plus the app it belongs to (for `?apps=`). */
export interface McpToolOptions {
  /** `[A-Za-z0-9_-]`, at most 64 characters, unique across every source (checked at start-up). */
  name: string;
  title?: string;
  description: string;
  /** JSON Schema of the arguments (`type: "object"`); arguments are validated against it before the method runs. */
  inputSchema?: Tool['inputSchema'];
  outputSchema?: Tool['outputSchema'];
  annotations?: ToolAnnotations;
  /** The app the tool belongs to: `?apps=<app>` selects it. Without one, the tool is hidden when a caller sets `apps`. */
  app?: string;
}

/**
 * Declares a provider method as an MCP tool. The method gets the validated arguments and the
 * `ToolCallContext` (caller identity, token, abort signal) and returns either a `CallToolResult` or
 * any JSON value (returned as text, and as `structuredContent` when it is an object). A thrown
 * error becomes an `isError` result with its message.
 *
 * ```ts
 * @Injectable()
 * export class DirectoryTools {
 *   @McpTool({ name: 'directory_find-person', description: 'Finds a colleague by email.', inputSchema: { … }, annotations: { readOnlyHint: true } })
 *   async findPerson(args: { email: string }, ctx: ToolCallContext) { … }
 * }
 * ```
 */
export const McpTool = (options: McpToolOptions): MethodDecorator => SetMetadata(MCP_TOOL, options);

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

interface DecoratedTool extends SourceTool {
  readonly run: (args: Record<string, unknown>, ctx: ToolCallContext) => unknown;
  readonly validate: ArgumentsValidator;
}

function isCallToolResult(value: unknown): value is CallToolResult {
  return typeof value === 'object' && value !== null && Array.isArray((value as { content?: unknown }).content);
}

/** The tool source of every `@McpTool()` method in the application (found at start-up). */
@Injectable()
export class DecoratedToolsSource extends ToolSource implements OnApplicationBootstrap {
  readonly sourceName = 'decorated tools';
  private readonly logger = new Logger(DecoratedToolsSource.name);
  private tools?: readonly DecoratedTool[];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly validators: SchemaValidators,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.discover();
  }

  /** Runs once: the registry may ask for the reserved names before this provider's own bootstrap. */
  private discover(): void {
    if (this.tools) return;
    const found: DecoratedTool[] = [];
    const seen = new Set<unknown>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<McpToolOptions | undefined>(MCP_TOOL, fn as () => unknown);
        if (!options) continue;
        if (!TOOL_NAME.test(options.name)) {
          throw new Error(`@McpTool name "${options.name}" on ${instance.constructor.name}.${method} must be 1-64 characters of [A-Za-z0-9_-].`);
        }
        const inputSchema = options.inputSchema ?? { type: 'object' as const, properties: {} };
        const definition: Tool = {
          name: options.name,
          ...(options.title ? { title: options.title } : {}),
          description: options.description,
          inputSchema,
          ...(options.outputSchema ? { outputSchema: options.outputSchema } : {}),
          annotations: {
            title: options.title ?? options.name,
            readOnlyHint: false,
            destructiveHint: false,
            idempotentHint: false,
            openWorldHint: false,
            ...options.annotations,
          },
        };
        found.push({
          definition,
          ...(options.app ? { app: options.app } : {}),
          run: (fn as (a: Record<string, unknown>, c: ToolCallContext) => unknown).bind(instance),
          validate: this.validators.compile(inputSchema, `tool ${options.name}`),
        });
      }
    }
    this.tools = found;
    if (found.length) this.logger.log(`Tools from @McpTool methods: ${found.map((t) => t.definition.name).join(', ')}`);
  }

  override reservedNames(): readonly string[] {
    this.discover();
    return (this.tools ?? []).map((t) => t.definition.name);
  }

  async list(_ctx: ToolContext): Promise<readonly SourceTool[]> {
    return this.tools ?? [];
  }

  async call(ctx: ToolCallContext, tool: DecoratedTool, args: Record<string, unknown>): Promise<CallToolResult> {
    const problems = tool.validate(args);
    if (problems.length) return invalidArgumentsResult(tool.definition.name, problems);
    try {
      const value = await tool.run(args, ctx);
      return isCallToolResult(value) ? value : successResult(value);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      this.logger.warn(`Tool ${tool.definition.name} failed: ${(err as Error)?.name ?? 'Error'}`);
      return errorResult(`${tool.definition.name} failed: ${redactSecrets(String((err as Error)?.message ?? err), ctx.token)}`, { type: 'tool_failed' });
    }
  }
}

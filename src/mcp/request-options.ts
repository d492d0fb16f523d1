import type { Request } from 'express';
import { BadRequestError } from '../common/domain.errors';
import { pathMode } from '../common/mode-paths';
import type { ToolMode } from '../sessions/session.types';

export interface SessionOptions {
  mode: ToolMode;
  apps: string[] | null;
}

const MODES: readonly ToolMode[] = ['static', 'dynamic', 'search'];
const APP_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'string')) return value.join(',');
    throw new BadRequestError(`Query parameter "${name}" must be a string.`);
  }
  if (typeof value !== 'string') throw new BadRequestError(`Query parameter "${name}" must be a string.`);
  return value;
}

/** `mode` and `apps` from the query string of the request that opens a session. */
export function parseSessionOptions(query: Record<string, unknown>): SessionOptions {
  const modeText = single(query.mode, 'mode')?.trim();
  let mode: ToolMode = 'static';
  if (modeText !== undefined && modeText !== '') {
    const lower = modeText.toLowerCase() as ToolMode;
    if (!MODES.includes(lower)) {
      throw new BadRequestError(`Unknown mode "${modeText.slice(0, 50)}": allowed values are "static" (default), "dynamic" and "search".`);
    }
    mode = lower;
  }
  const appsText = single(query.apps, 'apps');
  // Stored with the session: bounded like everything a client puts there.
  if (appsText !== undefined && appsText.length > 4096) throw new BadRequestError('"apps" is too long (at most 4096 characters).');
  let apps: string[] | null = null;
  if (appsText !== undefined && appsText.trim() !== '') {
    const keys = [
      ...new Set(
        appsText
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean),
      ),
    ];
    const bad = keys.find((k) => !APP_KEY.test(k));
    if (bad !== undefined) throw new BadRequestError(`Invalid integration key in "apps": "${bad.slice(0, 50)}".`);
    if (keys.length > 200) throw new BadRequestError('Too many integration keys in "apps" (at most 200).');
    apps = keys;
  }
  return { mode, apps };
}

/**
 * `mode` and `apps` of the request that opens a session (or of a stateless request): the path's
 * mode (`/mcp/search`, `/mcp/dynamic`) or `?mode=`; both, when they disagree, are a 400.
 */
export function requestSessionOptions(req: Pick<Request, 'path' | 'query'>): SessionOptions {
  const options = parseSessionOptions(req.query as Record<string, unknown>);
  const fromPath = pathMode(req.path);
  if (fromPath === undefined) return options;
  const queried = single((req.query as Record<string, unknown>).mode, 'mode')?.trim();
  if (queried && options.mode !== fromPath) {
    throw new BadRequestError(
      `Conflicting modes: the path /mcp/${fromPath} selects mode "${fromPath}" but the query string says mode="${queried.slice(0, 50)}". Use /mcp?mode=${options.mode} or /mcp/${fromPath} without ?mode=.`,
    );
  }
  return { ...options, mode: fromPath };
}

import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '../config/app.config';
import { OpenStreams } from '../mcp/open-streams';
import type { NotificationHub } from '../mcp/notifications/notification.hub';
import type { SseService } from '../mcp/transports/sse.service';
import { Logger } from '@nestjs/common';
import { ShutdownService } from './shutdown.service';

describe('ShutdownService', () => {
  let server: Server;
  let events: string[];
  let shutdown: ShutdownService;
  let release: () => void;
  let url: string;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn']));

  beforeEach(async () => {
    events = [];
    const hub = { beforeApplicationShutdown: () => events.push('hub streams closed') } as unknown as NotificationHub;
    const sse = { beforeApplicationShutdown: () => events.push('sse streams closed') } as unknown as SseService;
    shutdown = new ShutdownService({ shutdownGraceMs: 30_000 } as AppConfig, new OpenStreams(hub, sse));
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = createServer((req, res) => {
      const r = Object.assign(req, { path: new URL(req.url ?? '/', 'http://x').pathname }) as unknown as Request;
      shutdown.middleware(
        r,
        res as unknown as Response,
        (() => {
          void gate.then(() => {
            events.push('response sent');
            res.end('done');
          });
        }) as NextFunction,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('waits for in-flight requests, then closes streams; refuses new connections meanwhile', async () => {
    const inFlight = fetch(`${url}/mcp`, { method: 'POST' }).then((r) => r.text());
    for (let i = 0; i < 100 && shutdown.inFlightRequests === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(shutdown.inFlightRequests).toBe(1);

    const drained = shutdown.drain(server).then(() => events.push('drained'));
    expect(shutdown.isDraining).toBe(true);
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
    expect(events).toEqual([]);

    release();
    expect(await inFlight).toBe('done');
    await drained;
    expect(events).toEqual(['response sent', 'hub streams closed', 'sse streams closed', 'drained']);
    expect(shutdown.inFlightRequests).toBe(0);
  });

  it('does not wait at all when nothing is in flight, and drains only once', async () => {
    release();
    await shutdown.drain(server);
    await shutdown.drain(server);
    expect(events).toEqual(['hub streams closed', 'sse streams closed']);
  });
});

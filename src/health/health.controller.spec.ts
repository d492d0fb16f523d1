import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import type { Response } from 'express';
import { SessionStore } from '../sessions/session.store';
import { HealthController } from './health.controller';
import { ShutdownService } from './shutdown.service';

/** A store that only answers `ping` (anything else fails the test). */
function storeWith(ping: () => Promise<void>): SessionStore {
  return new Proxy({ ping } as unknown as SessionStore, {
    get: (target, prop) => {
      if (prop in target || prop === 'then') return (target as unknown as Record<string | symbol, unknown>)[prop];
      throw new Error(`unexpected call: store.${String(prop)}`);
    },
  });
}

async function controllerWith(store: SessionStore, draining = false): Promise<HealthController> {
  const moduleRef = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [
      { provide: SessionStore, useValue: store },
      { provide: ShutdownService, useValue: { isDraining: draining } },
    ],
  }).compile();
  return moduleRef.get(HealthController);
}

function fakeResponse(): Response & { statusCode: number } {
  const res = { statusCode: 200, status: (code: number) => ((res.statusCode = code), res) };
  return res as unknown as Response & { statusCode: number };
}

describe('HealthController', () => {
  it('live is always ok', async () => {
    const ctl = await controllerWith(
      storeWith(() => Promise.reject(new Error('down'))),
      true,
    );
    expect(ctl.live()).toEqual({ status: 'ok' });
  });

  it('ready is ok when the store answers and the app is not draining', async () => {
    const res = fakeResponse();
    const body = await (await controllerWith(storeWith(async () => undefined))).ready(res);
    expect(res.statusCode).toBe(200);
    expect(body).toMatchObject({ status: 'ok', info: { lifecycle: { status: 'up' }, sessionStore: { status: 'up' } } });
  });

  it('ready is 503 with the failing check named when the store is down', async () => {
    const res = fakeResponse();
    const body = await (await controllerWith(storeWith(() => Promise.reject(new Error('connect ECONNREFUSED'))))).ready(res);
    expect(res.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'error', error: { sessionStore: { status: 'down', message: 'connect ECONNREFUSED' } } });
  });

  it('ready is 503 while shutting down, even with a healthy store', async () => {
    const res = fakeResponse();
    const body = await (
      await controllerWith(
        storeWith(async () => undefined),
        true,
      )
    ).ready(res);
    expect(res.statusCode).toBe(503);
    expect(body).toMatchObject({ status: 'error', error: { lifecycle: { status: 'down', message: 'shutting down' } } });
  });

  it('ready gives up on a store that never answers', async () => {
    jest.useFakeTimers();
    try {
      const res = fakeResponse();
      const pending = (await controllerWith(storeWith(() => new Promise<void>(() => undefined)))).ready(res);
      await jest.advanceTimersByTimeAsync(2000);
      expect(await pending).toMatchObject({ status: 'error', error: { sessionStore: { status: 'down' } } });
      expect(res.statusCode).toBe(503);
    } finally {
      jest.useRealTimers();
    }
  });
});

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatheringDestination } from './log-destination';
import { waitFor } from '../../../test/support/wait';

describe('gatheringDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'a');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const written = () => readFileSync(file, 'utf8');

  it('holds the lines of a batch and writes them together once the interval has passed', async () => {
    const destination = gatheringDestination(fd, 50);
    destination.write('{"n":1}\n');
    destination.write('{"n":2}\n');
    destination.write('{"n":3}\n');
    expect(written()).toBe('');
    await waitFor('the batch', () => written() === '{"n":1}\n{"n":2}\n{"n":3}\n');
    // The next line starts a new batch.
    destination.write('{"n":4}\n');
    expect(written()).not.toContain('"n":4');
    await waitFor('the next batch', () => written().endsWith('{"n":4}\n'));
  });

  it('writes a batch older than the interval with the next line, when a busy event loop has kept the timer from running', () => {
    const destination = gatheringDestination(fd, 20);
    destination.write('{"n":1}\n');
    // The loop is busy (no timer can run) for longer than the interval; then another line comes.
    const until = performance.now() + 60;
    while (performance.now() < until);
    expect(written()).toBe('');
    destination.write('{"n":2}\n');
    expect(written()).toBe('{"n":1}\n{"n":2}\n');
  });

  it('writes at once when 8 KiB are held, whatever the interval', () => {
    const destination = gatheringDestination(fd, 60_000);
    const line = `{"pad":"${'x'.repeat(1000)}"}\n`;
    for (let i = 0; i < 10; i++) destination.write(line);
    expect(written().length).toBeGreaterThanOrEqual(8 * 1024);
    destination.flushSync();
    expect(written()).toBe(line.repeat(10));
  });

  it('with 0 writes every line at once', () => {
    const destination = gatheringDestination(fd, 0);
    destination.write('{"n":1}\n');
    expect(written()).toBe('{"n":1}\n');
  });

  it.each([
    ['process.exit()', 'process.exit(3)', 3],
    ['an uncaught exception', 'throw new Error("boom")', 1],
  ])('writes the held lines when the process ends through %s', (_what, end, code) => {
    const script = `
      const { gatheringDestination } = require(${JSON.stringify(join(__dirname, 'log-destination'))});
      const destination = gatheringDestination(1, 60000);
      for (let i = 0; i < 100; i++) destination.write(JSON.stringify({ n: i }) + '\\n');
      ${end};
    `;
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.status).toBe(code);
    const lines = child.stdout.split('\n').filter(Boolean);
    expect(lines).toEqual(Array.from({ length: 100 }, (_, i) => JSON.stringify({ n: i })));
  });
});

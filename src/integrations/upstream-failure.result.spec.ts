import { UpstreamError } from './upstream.error';
import type { ToolEntry } from './tool-catalog';
import { errorResult, invalidArgumentsResult } from '../tools/tool-results';
import { upstreamFailureResult } from './upstream-failure.result';

const entry = {
  name: 'gmail_send-email',
  integrationKey: 'gmail',
  integrationName: 'Gmail',
  actionKey: 'send-email',
  connections: [{ id: 'c1', name: 'Ada Gmail' }],
} as unknown as ToolEntry;
const text = (err: UpstreamError) => (upstreamFailureResult(entry, 'c1', err, 60_000).content[0] as { text: string }).text;

describe('upstreamFailureResult', () => {
  it('does not blame the arguments when the app itself failed the action (a quota, a business rule)', () => {
    const quota = text(new UpstreamError('Mailbox quota exceeded', { kind: 'action_failed', upstreamType: 'action_run' }));
    expect(quota).toContain('Integration.app error (action_run): Mailbox quota exceeded. The action failed in Gmail');
    expect(quota).not.toContain('inputSchema');
  });

  it('points at the arguments for a bad request', () => {
    expect(text(new UpstreamError('field "to" is invalid', { kind: 'bad_request' }))).toContain(
      "Check the arguments against the action's schema (the tool's inputSchema, or describe-actions in search mode)",
    );
  });

  it('ends the upstream message in exactly one period, whatever it ended with', () => {
    for (const message of ['Mailbox quota exceeded.', 'Mailbox quota exceeded..', 'Mailbox quota exceeded. ', 'Mailbox quota exceeded']) {
      const out = text(new UpstreamError(message, { kind: 'action_failed' }));
      expect(out).toContain('Integration.app error: Mailbox quota exceeded. The action failed');
      expect(out).not.toMatch(/\.\./);
    }
    // Bounded work on a hostile message (a long run of dots and spaces before a letter).
    const long = `${'. '.repeat(50_000)}x`;
    expect(text(new UpstreamError(long, { kind: 'action_failed' }))).toContain(' x. The action failed');
  });

  it('puts the message into the structured error beside its details', () => {
    const result = upstreamFailureResult(entry, 'c1', new UpstreamError('Not allowed', { kind: 'forbidden' }), 60_000);
    const { text: message } = result.content[0] as { text: string };
    expect(result.structuredContent).toMatchObject({ error: { type: 'forbidden', message } });
    expect(errorResult('Plain.', { type: 'x' }).structuredContent).toEqual({ error: { type: 'x', message: 'Plain.' } });
  });

  it('says where the schema is in both modes when arguments are invalid', () => {
    const out = invalidArgumentsResult('gmail_send-email', [{ path: 'to', message: 'is required' }]);
    expect((out.content[0] as { text: string }).text).toMatch(/the tool's inputSchema, or describe-actions in search mode/);
  });
});

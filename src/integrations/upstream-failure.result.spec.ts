import { UpstreamError } from './upstream.error';
import type { ToolEntry } from './tool-catalog';
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
    expect(text(new UpstreamError('field "to" is invalid', { kind: 'bad_request' }))).toContain("Check the arguments against the tool's inputSchema");
  });
});

import { annotationsFor } from './tool-annotations';

describe('annotationsFor', () => {
  it('decides read-only from the upstream action type before the key (issue 20: get-or-create-contact of type create-data-record was read-only)', () => {
    expect(annotationsFor('t', 'get-or-create-contact', 'Get or create contact', 'create-data-record').readOnlyHint).toBe(false);
    expect(annotationsFor('t', 'sync-contacts', 'Sync', 'list-data-records').readOnlyHint).toBe(true);
    expect(annotationsFor('t', 'lookup', 'Lookup', 'find-or-create-data-record').readOnlyHint).toBe(false);
    expect(annotationsFor('t', 'tidy', 'Tidy', 'delete-data-record')).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(annotationsFor('t', 'contact', 'Contact', 'find-data-record-by-id').readOnlyHint).toBe(true);
  });

  it('falls back to the key for types that say nothing, and never calls a key with a writing verb read-only', () => {
    expect(annotationsFor('t', 'list-emails', 'List', 'run-javascript').readOnlyHint).toBe(true);
    expect(annotationsFor('t', 'get-or-create-contact', 'Get or create', 'run-javascript').readOnlyHint).toBe(false);
    expect(annotationsFor('t', 'find-and-update-deal', 'Find and update', undefined).readOnlyHint).toBe(false);
    expect(annotationsFor('t', 'get-post', 'Get post', 'api-request-to-external-app').readOnlyHint).toBe(true);
    expect(annotationsFor('t', 'delete-email', 'Delete', undefined)).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(annotationsFor('t', 'send-email', 'Send', undefined).readOnlyHint).toBe(false);
  });
});

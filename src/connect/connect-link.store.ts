import { randomBytes } from 'node:crypto';

/**
 * A connect link (SPEC §16): what `GET /connect/<id>` needs to send one customer to the
 * Integration.app connection page of one app, once. It holds no credential: the customer token the
 * redirect carries is minted when the link is opened.
 */
export interface ConnectLink {
  id: string;
  /** Owner: `Identity.key` of the caller of connect-app. */
  identityKey: string;
  workspaceKey: string;
  customerId: string;
  /** The `name` claim of the caller's token, carried into the minted token (Integration.app shows it). */
  customerName?: string;
  /** The integration key. */
  app: string;
  appName: string;
  /** A second connection of an app already connected (the UI's `allowMultipleConnections`). */
  multiple: boolean;
  /** The session that asked (session era), told `notifications/tools/list_changed` when the app appears. */
  sessionId?: string;
  /** Ids of the customer's connections of the app when the link was made (a new one means it worked). */
  knownConnections: string[];
  createdAt: number;
  expiresAt: number;
}

/** Link ids: 24 random bytes, base64url (32 characters). Anything else is not looked up. */
export const LINK_ID = /^[A-Za-z0-9_-]{32}$/;

export function newLinkId(): string {
  return randomBytes(24).toString('base64url');
}

/** What opening a link found: the link (now used), or why not. */
export type ConsumeOutcome = { state: 'ok'; link: ConnectLink } | { state: 'used' } | { state: 'expired' } | { state: 'unknown' };

/**
 * Where connect links live: the session store's backend (Redis when `REDIS_URL` is set, so any
 * replica serves `GET /connect/<id>`; else this process). Also carries "this identity's connections
 * changed" between replicas, so each drops its copy of the identity's catalog.
 */
export abstract class ConnectLinkStore {
  /**
   * Stores a link until it expires (and a while after, so an expired link answers 410, not 404).
   * Refuses (false) when the identity already holds `maxOpenPerIdentity` unused, unexpired links.
   */
  abstract create(link: ConnectLink, maxOpenPerIdentity: number): Promise<boolean>;
  /** Uses a link: the first call gets it, every later one `used`; atomically across replicas. */
  abstract consume(id: string): Promise<ConsumeOutcome>;
  /** Tells every replica (this one included) that an identity's connections changed. */
  abstract publishChanged(identityKey: string): Promise<void>;
  /** Registers the handler of `publishChanged` messages. */
  abstract onChanged(handler: (identityKey: string) => void): void;
}

/** How long an expired or used link is remembered (to answer 410): as long as it was valid, at most a day. */
export function graceMs(link: Pick<ConnectLink, 'createdAt' | 'expiresAt'>): number {
  return Math.min(86_400_000, Math.max(60_000, link.expiresAt - link.createdAt));
}

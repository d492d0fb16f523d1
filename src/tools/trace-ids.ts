/**
 * Port: what the registry tells tracing about the call being handled. Bound by the telemetry module
 * when tracing is on; without a binding, audit lines carry no trace id.
 */
export abstract class TraceIds {
  /** The trace id of the call being handled, for the audit line. */
  abstract current(): string | undefined;
  /**
   * The tool the call being handled resolved to (a name of the caller's view): the only tool name
   * telemetry may record. A call that resolves to no tool is recorded as `other`.
   */
  abstract toolResolved(name: string): void;
}

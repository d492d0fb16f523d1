/**
 * Port: the trace id of the call being handled, for the audit line. Bound by the telemetry module
 * when tracing is on; without a binding, audit lines carry no trace id.
 */
export abstract class TraceIds {
  abstract current(): string | undefined;
}

/** Errors of the log. Each keeps its cause; `instanceof` works across the package. */
export class EventLogError extends Error {
  override name = 'EventLogError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The object's subject moved on since the writer read it (JetStream "wrong last sequence"). */
export class RevisionConflictError extends EventLogError {
  override name = 'RevisionConflictError';
  constructor(readonly subject: string, readonly expected: number, readonly actual: number | undefined) {
    super(`revision conflict on ${subject}: expected last sequence ${expected}, log has ${actual ?? 'unknown'}`);
  }
}

export class PublishTimeoutError extends EventLogError {
  override name = 'PublishTimeoutError';
}

export class LogClosedError extends EventLogError {
  override name = 'LogClosedError';
}

/** A stream message or request (eventlog/streams/) that does not follow the protocol. */
export class StreamProtocolError extends EventLogError {
  override name = 'StreamProtocolError';
}

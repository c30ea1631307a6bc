// A response body written piece by piece (watch events, followed logs): closing it once runs the
// clean-up the writer registered (unsubscribe, timers), and a client that went away closes it.
export interface OutStream {
  readable: ReadableStream<Uint8Array>;
  write(bytes: Uint8Array): void;
  close(): void;
  readonly closed: boolean;
  /** Runs when the stream closes (once). */
  onClose(fn: () => void): void;
}

export function outStream(): OutStream {
  // A byte stream the runtime pumps to the client natively: a script-side TransformStream costs a
  // round through the script per chunk, for every open watch of an event.
  const { readable, writable } = new IdentityTransformStream();
  const writer = writable.getWriter();
  const cleanups: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const fn of cleanups) fn();
    writer.close().catch(() => undefined);
  };
  // A client that went away cancels the readable side: clean up then, not at the next write.
  writer.closed.catch(close);
  return {
    readable,
    write(bytes) {
      if (!closed) writer.write(bytes).catch(close);
    },
    close,
    get closed() {
      return closed;
    },
    onClose(fn) {
      // Registered after the end (the first write already used up the limit): clean up at once.
      if (closed) fn();
      else cleanups.push(fn);
    },
  };
}

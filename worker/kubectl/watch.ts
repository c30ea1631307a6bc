// Reading a watch (or a followed log) the way client-go's stream decoder does: newline-delimited
// JSON events from a chunked response, until the server ends it or the user interrupts.

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: unknown;
}

/** Reads a streamed body chunk by chunk; true when it was interrupted rather than ended. */
export async function readStream(res: Response, signal: AbortSignal, onText: (text: string) => void | Promise<void>): Promise<boolean> {
  const body = res.body;
  if (!body) return false;
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let aborted = signal.aborted;
  const onAbort = () => {
    aborted = true;
    reader.cancel().catch(() => undefined);
  };
  if (aborted) {
    onAbort();
    return true;
  }
  signal.addEventListener("abort", onAbort);
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        if (aborted) return true;
        throw e;
      }
      if (r.done) break;
      if (aborted) return true;
      const text = decoder.decode(r.value, { stream: true });
      if (text) await onText(text);
    }
    const rest = decoder.decode();
    if (rest) await onText(rest);
    return aborted;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** Reads watch events until the stream ends (false) or the user interrupts (true). */
export async function readWatch(res: Response, signal: AbortSignal, onEvent: (ev: WatchEvent) => void): Promise<boolean> {
  let buf = "";
  return readStream(res, signal, (text) => {
    buf += text;
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) onEvent(JSON.parse(line) as WatchEvent);
    }
  });
}

// Percent-decoding as Go's net/url does it, for paths and hosts taken from request URLs: a broken
// escape is an error worded like url.EscapeError (where decodeURIComponent throws a bare URIError),
// and escaped bytes that are not UTF-8 become replacement characters instead of failing.

export class UrlEscapeError extends Error {}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Decodes `%XX` escapes; throws UrlEscapeError(`invalid URL escape "%zz"`) for a broken one. */
export function unescapeUrl(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    if (s[i] === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new UrlEscapeError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(hex, 16));
      i += 3;
    } else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      for (const b of encoder.encode(ch)) bytes.push(b);
      i += ch.length;
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** Like unescapeUrl, but a broken escape gives `undefined`. */
export function tryUnescapeUrl(s: string): string | undefined {
  try {
    return unescapeUrl(s);
  } catch (e) {
    if (e instanceof UrlEscapeError) return undefined;
    throw e;
  }
}

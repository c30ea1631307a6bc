// The syntax error Go's encoding/json reports for a malformed body, so a 400 reads like the apiserver's
// ("invalid character '}' looking for beginning of object key string", "unexpected end of JSON input").
// Models encoding/json scanner.go (checkValid, the scanner states and quoteChar)

class SyntaxFailure {
  constructor(readonly message: string) {}
}

const EOF_MESSAGE = "unexpected end of JSON input";

function quoteChar(c: number): string {
  if (c === 0x27) return "'\\''";
  if (c === 0x22) return "'\"'";
  const escapes: Record<number, string> = { 0x07: "\\a", 0x08: "\\b", 0x0c: "\\f", 0x0a: "\\n", 0x0d: "\\r", 0x09: "\\t", 0x0b: "\\v", 0x5c: "\\\\" };
  if (escapes[c]) return `'${escapes[c]}'`;
  if (c < 0x20 || c === 0x7f) return `'\\x${c.toString(16).padStart(2, "0")}'`;
  // Go quotes string(byte), i.e. the rune U+00XX.
  if ((c >= 0x80 && c <= 0xa0) || c === 0xad) return `'\\u00${c.toString(16)}'`;
  return `'${String.fromCharCode(c)}'`;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Go's error for the first syntax error in `data`, or undefined when it is valid JSON. */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  let i = 0;
  const n = data.length;
  const fail = (context: string) => new SyntaxFailure(`invalid character ${quoteChar(data[i])} ${context}`);
  const need = () => {
    if (i >= n) throw new SyntaxFailure(EOF_MESSAGE);
    return data[i];
  };
  const skipSpace = () => {
    while (i < n && isSpace(data[i])) i++;
  };

  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (need() !== word.charCodeAt(k)) throw fail(`in literal ${word} (expecting ${quoteChar(word.charCodeAt(k))})`);
    }
    i++;
  };
  const digits = () => {
    while (i < n && isDigit(data[i])) i++;
  };
  const number = () => {
    if (data[i] === 0x2d) {
      i++;
      if (!isDigit(need())) throw fail("in numeric literal");
    }
    if (data[i] === 0x30) i++;
    else digits();
    if (i < n && data[i] === 0x2e) {
      i++;
      if (!isDigit(need())) throw fail("after decimal point in numeric literal");
      digits();
    }
    if (i < n && (data[i] === 0x65 || data[i] === 0x45)) {
      i++;
      if (need() === 0x2b || data[i] === 0x2d) i++;
      if (!isDigit(need())) throw fail("in exponent of numeric literal");
      digits();
    }
  };
  const string = () => {
    i++;
    for (;;) {
      const c = need();
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        i++;
        const e = need();
        if (e === 0x75) {
          for (let k = 0; k < 4; k++) {
            i++;
            if (!isHex(need())) throw fail("in \\u hexadecimal character escape");
          }
          i++;
        } else if ('"\\/bfnrt'.includes(String.fromCharCode(e))) {
          i++;
        } else {
          throw fail("in string escape code");
        }
      } else if (c < 0x20) {
        throw fail("in string literal");
      } else {
        i++;
      }
    }
  };
  const value = (): void => {
    skipSpace();
    const c = need();
    if (c === 0x7b) return object();
    if (c === 0x5b) return array();
    if (c === 0x22) return string();
    if (c === 0x2d || isDigit(c)) return number();
    if (c === 0x74) return literal("true");
    if (c === 0x66) return literal("false");
    if (c === 0x6e) return literal("null");
    throw fail("looking for beginning of value");
  };
  const object = () => {
    i++;
    skipSpace();
    if (need() === 0x7d) {
      i++;
      return;
    }
    for (;;) {
      if (need() !== 0x22) throw fail("looking for beginning of object key string");
      string();
      skipSpace();
      if (need() !== 0x3a) throw fail("after object key");
      i++;
      value();
      skipSpace();
      const c = need();
      if (c === 0x7d) {
        i++;
        return;
      }
      if (c !== 0x2c) throw fail("after object key:value pair");
      i++;
      skipSpace();
    }
  };
  const array = () => {
    i++;
    skipSpace();
    if (need() === 0x5d) {
      i++;
      return;
    }
    for (;;) {
      value();
      skipSpace();
      const c = need();
      if (c === 0x5d) {
        i++;
        return;
      }
      if (c !== 0x2c) throw fail("after array element");
      i++;
    }
  };

  try {
    value();
    skipSpace();
    if (i < n) throw fail("after top-level value");
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxFailure) return e.message;
    throw e;
  }
}

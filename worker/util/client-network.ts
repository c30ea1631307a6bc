// The unit a client is limited by: its IPv4 address, or the /64 network of its IPv6 address — one
// IPv6 customer gets a whole /64 and could otherwise take a fresh address for every request.

/** The limiting key of an address as `cf-connecting-ip` gives it; anything unparsable is its own key. */
export function clientNetwork(ip: string): string {
  const addr = ip.trim().toLowerCase();
  if (!addr.includes(":")) return addr;
  const hextets = expandIpv6(addr);
  return hextets ? `${hextets.slice(0, 4).join(":")}::/64` : addr;
}

/** The eight hextets of an IPv6 address (`::` expanded, an embedded IPv4 tail converted), or undefined. */
function expandIpv6(addr: string): string[] | undefined {
  let text = addr.split("%")[0];
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((n) => n > 255)) return undefined;
    text = text.slice(0, v4.index) + `${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!all.every((h) => /^[0-9a-f]{1,4}$/.test(h))) return undefined;
  return all.map((h) => h.replace(/^0+(?=.)/, ""));
}

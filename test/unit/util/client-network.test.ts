import { describe, expect, it } from "vitest";
import { clientNetwork } from "../../../worker/util/client-network";

describe("clientNetwork", () => {
  it("keeps an IPv4 address as it is", () => {
    expect(clientNetwork("203.0.113.7")).toBe("203.0.113.7");
    expect(clientNetwork(" 203.0.113.7 ")).toBe("203.0.113.7");
  });

  it.each([
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002::", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:203.0.113.7", "0:0:0:0::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
  ])("keys %s by its /64: %s", (ip, key) => {
    expect(clientNetwork(ip)).toBe(key);
  });

  it("gives two addresses of one /64 the same key, and of two /64s different keys", () => {
    expect(clientNetwork("2001:db8:1:2::a")).toBe(clientNetwork("2001:db8:1:2:9::b"));
    expect(clientNetwork("2001:db8:1:2::a")).not.toBe(clientNetwork("2001:db8:1:3::a"));
  });

  it("keys an unparsable address by itself", () => {
    expect(clientNetwork("1:2:3")).toBe("1:2:3");
    expect(clientNetwork("1::2::3")).toBe("1::2::3");
    expect(clientNetwork("g::1")).toBe("g::1");
  });
});

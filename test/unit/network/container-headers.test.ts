// What a container answers is served on kubeplay's own origin (the proxy subresources and the
// outside routes): its page runs sandboxed, its type is not sniffed, and it sets no cookie there.
import { describe, expect, it } from "vitest";
import { containerHeaders } from "../../../worker/network/outside";

describe("containerHeaders", () => {
  it("drops cookies and hop-by-hop headers, keeps the rest, and contains the page", () => {
    const h = containerHeaders({
      Server: "nginx/1.25.1",
      "Content-Type": "text/html",
      "Set-Cookie": "session=abc; Path=/",
      "set-cookie2": "old=1",
      Connection: "keep-alive",
      "Content-Length": "12",
      "Content-Security-Policy": "default-src *",
    });
    expect(h.get("set-cookie")).toBeNull();
    expect(h.get("set-cookie2")).toBeNull();
    expect(h.get("connection")).toBeNull();
    expect(h.get("content-length")).toBeNull();
    expect(h.get("server")).toBe("nginx/1.25.1");
    expect(h.get("content-type")).toBe("text/html");
    // The container's own policy cannot loosen the sandbox.
    expect(h.get("content-security-policy")).toBe("sandbox");
    expect(h.get("x-content-type-options")).toBe("nosniff");
  });
});

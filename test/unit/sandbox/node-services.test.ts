import { describe, expect, it } from "vitest";
import { parseExports } from "../../../worker/sandbox/node-services";

describe("/etc/exports as showmount reads it", () => {
  it("lists each directory with its clients, options and comments dropped", () => {
    const text = "# shared with the cluster\n/nfs-share  192.168.1.0/24(rw,sync,no_root_squash) 10.0.0.5(ro)\n\n/public\n/data \\\n  *(rw)\n";
    expect(parseExports(text)).toEqual([
      { path: "/nfs-share", clients: ["192.168.1.0/24", "10.0.0.5"] },
      { path: "/public", clients: ["(everyone)"] },
      { path: "/data", clients: ["*"] },
    ]);
  });
});

// CSIDriver (storage.k8s.io/v1): what a CSI driver's install registers (seed 003's csi-driver-nfs),
// defaulted, validated and printed as upstream.
import { describe, expect, it } from "vitest";
import { api, createSandbox } from "./helpers";

const DRIVERS = "/apis/storage.k8s.io/v1/csidrivers";
const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };
const MERGE = { "content-type": "application/merge-patch+json" };

describe("CSIDriver", () => {
  it("is created with upstream's defaults and listed with kubectl's columns", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", DRIVERS, {
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: { name: "nfs.csi.k8s.io" },
      spec: { attachRequired: false, volumeLifecycleModes: ["Persistent"], fsGroupPolicy: "File" },
    });
    expect(created.status).toBe(201);
    expect(created.json.spec).toEqual({
      attachRequired: false,
      podInfoOnMount: false,
      storageCapacity: false,
      fsGroupPolicy: "File",
      volumeLifecycleModes: ["Persistent"],
      requiresRepublish: false,
      seLinuxMount: false,
    });
    const bare = await api(sb.id, "POST", DRIVERS, { apiVersion: "storage.k8s.io/v1", kind: "CSIDriver", metadata: { name: "bare.example.com" }, spec: { tokenRequests: [{ audience: "vault" }, { audience: "gcp" }] } });
    expect(bare.json.spec).toMatchObject({ attachRequired: true, fsGroupPolicy: "ReadWriteOnceWithFSType", volumeLifecycleModes: ["Persistent"] });
    const table = await api(sb.id, "GET", DRIVERS, undefined, TABLE);
    expect(table.json.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(["Name", "AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests", "RequiresRepublish", "Modes", "Age"]);
    expect(table.json.rows.map((r: { cells: unknown[] }) => r.cells.slice(0, 7))).toEqual([
      ["bare.example.com", true, false, false, "vault,gcp", false, "Persistent"],
      ["nfs.csi.k8s.io", false, false, false, "<unset>", false, "Persistent"],
    ]);
  });

  it("refuses what upstream refuses, in its words", async () => {
    const sb = await createSandbox();
    const driver = (name: string, spec: Record<string, unknown>) => api(sb.id, "POST", DRIVERS, { apiVersion: "storage.k8s.io/v1", kind: "CSIDriver", metadata: { name }, spec });
    const bad = await driver("bad.example.com", { fsGroupPolicy: "Sometimes", volumeLifecycleModes: ["Forever"], tokenRequests: [{ audience: "a", expirationSeconds: 60 }, { audience: "a" }] });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe(
      'CSIDriver.storage.k8s.io "bad.example.com" is invalid: [spec.fsGroupPolicy: Unsupported value: "Sometimes": supported values: "File", "None", "ReadWriteOnceWithFSType", ' +
        'spec.tokenRequests[0].expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes, spec.tokenRequests[1].audience: Duplicate value: "a", ' +
        'spec.volumeLifecycleModes: Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"]',
    );
    const long = await driver(`${"a".repeat(60)}.com`, {});
    expect(long.status).toBe(422);
    expect(long.json.message).toContain("metadata.name: Too long: must have at most 63 bytes");
    expect((await driver("ok.example.com", {})).status).toBe(201);
    const flip = await api(sb.id, "PATCH", `${DRIVERS}/ok.example.com`, { spec: { attachRequired: false } }, MERGE);
    expect(flip.status).toBe(422);
    expect(flip.json.message).toBe('CSIDriver.storage.k8s.io "ok.example.com" is invalid: spec.attachedRequired: Invalid value: false: field is immutable');
    const mutable = await api(sb.id, "PATCH", `${DRIVERS}/ok.example.com`, { spec: { podInfoOnMount: true } }, MERGE);
    expect(mutable.status).toBe(200);
    expect(mutable.json.spec.podInfoOnMount).toBe(true);
  });
});

// events.k8s.io/v1 Events are the core/v1 Events in a second shape (one store, as upstream).
import { describe, expect, it } from "vitest";
import { api, createSandbox } from "./helpers";

const CORE = "/api/v1/namespaces/default/events";
const V1 = "/apis/events.k8s.io/v1/namespaces/default/events";
const MERGE = { "content-type": "application/merge-patch+json" };

const coreEvent = {
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "web.1" },
  involvedObject: { kind: "Pod", name: "web", namespace: "default" },
  reason: "Started",
  message: "Started container web",
  source: { component: "kubelet", host: "k8s-node1" },
  firstTimestamp: "2026-01-01T00:00:00Z",
  lastTimestamp: "2026-01-01T00:00:05Z",
  count: 2,
  type: "Normal",
};

const v1Event = {
  apiVersion: "events.k8s.io/v1",
  kind: "Event",
  metadata: { name: "web.2" },
  eventTime: "2026-01-01T00:00:00.000000Z",
  regarding: { kind: "Pod", name: "web", namespace: "default" },
  note: "Pulling image nginx",
  reason: "Pulling",
  action: "Pull",
  type: "Normal",
  reportingController: "kubelet",
  reportingInstance: "k8s-node1",
};

describe("events.k8s.io/v1 view of the core Events", () => {
  it("reads a core Event with the newer field names", async () => {
    const sb = await createSandbox();
    expect((await api(sb.id, "POST", CORE, coreEvent)).status).toBe(201);
    const got = await api(sb.id, "GET", `${V1}/web.1`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      regarding: coreEvent.involvedObject,
      note: coreEvent.message,
      deprecatedSource: coreEvent.source,
      deprecatedFirstTimestamp: coreEvent.firstTimestamp,
      deprecatedLastTimestamp: coreEvent.lastTimestamp,
      deprecatedCount: 2,
    });
    expect(got.json.message).toBeUndefined();
    expect(got.json.involvedObject).toBeUndefined();
  });

  it("stores an events.k8s.io Event where core clients see it", async () => {
    const sb = await createSandbox();
    const created = await api(sb.id, "POST", V1, v1Event);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ apiVersion: "events.k8s.io/v1", note: v1Event.note, regarding: v1Event.regarding });
    const core = await api(sb.id, "GET", `${CORE}/web.2`);
    expect(core.json).toMatchObject({ apiVersion: "v1", message: v1Event.note, involvedObject: v1Event.regarding, reportingComponent: "kubelet", reportingInstance: "k8s-node1" });
    expect(core.json.metadata.uid).toBe(created.json.metadata.uid);
    // One object: a name taken in one API is taken in the other.
    expect((await api(sb.id, "POST", CORE, { ...coreEvent, metadata: { name: "web.2" } })).status).toBe(409);
  });

  it("lists, patches, deletes and watches through either API", async () => {
    const sb = await createSandbox();
    const start = (await api(sb.id, "GET", V1)).json.metadata.resourceVersion;
    await api(sb.id, "POST", CORE, coreEvent);
    await api(sb.id, "POST", V1, v1Event);
    expect((await api(sb.id, "GET", V1)).json.items.map((e: { metadata: { name: string } }) => e.metadata.name)).toEqual(["web.1", "web.2"]);
    const patched = await api(sb.id, "PATCH", `${V1}/web.2`, { note: "Pulled image nginx" }, MERGE);
    expect(patched.json.note).toBe("Pulled image nginx");
    expect((await api(sb.id, "GET", `${CORE}/web.2`)).json.message).toBe("Pulled image nginx");
    expect((await api(sb.id, "DELETE", `${V1}/web.1`)).status).toBe(200);
    expect((await api(sb.id, "GET", `${CORE}/web.1`)).status).toBe(404);
    const watch = await api(sb.id, "GET", `${V1}?watch=true&resourceVersion=${start}&timeoutSeconds=1`);
    const events = watch.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name])).toEqual([
      ["ADDED", "events.k8s.io/v1", "web.1"],
      ["ADDED", "events.k8s.io/v1", "web.2"],
      ["MODIFIED", "events.k8s.io/v1", "web.2"],
      ["DELETED", "events.k8s.io/v1", "web.1"],
    ]);
    expect(events[0].object.note).toBe(coreEvent.message);
  });
});

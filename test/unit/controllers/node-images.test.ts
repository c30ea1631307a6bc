// node.status.images: the kubelet reports the images on its machine (names `repo@sha256:…` and
// `repo:tag`, sizes from the image catalog, largest first, at most 50), writing only when they
// change; ImageLocality then prefers the node that already holds a big image.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { nodeStatusImages } from "../../../worker/kubelet/machine";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const NODE = { apiVersion: "v1", kind: "Node" };
const POD = { apiVersion: "v1", kind: "Pod" };

const images = (n: KubeObject | undefined) => ((n?.status as Obj).images ?? []) as { names: string[]; sizeBytes: number }[];
const pinned = (name: string, image: string, node: string): KubeObject => ({
  ...POD,
  metadata: { name, namespace: "default" },
  spec: { nodeSelector: { "kubernetes.io/hostname": node }, containers: [{ name: "c", image }] },
});

describe("node.status.images", () => {
  it("starts with kubeadm's images, largest first, and writes nothing while they stay", async () => {
    const c = await TestCluster.create();
    expect((await c.settle()).writes).toBe(0);
    const list = images(c.get(NODE, "", "k8s-node1"));
    expect(list.length).toBeGreaterThan(3);
    expect(list.map((i) => i.sizeBytes)).toEqual([...list.map((i) => i.sizeBytes)].sort((a, b) => b - a));
    const proxy = list.find((i) => i.names.some((n) => n.startsWith("registry.k8s.io/kube-proxy:")))!;
    expect(proxy.names[0]).toMatch(/^registry\.k8s\.io\/kube-proxy@sha256:[0-9a-f]{64}$/);
  });

  it("adds an image the kubelet pulled, once", async () => {
    const c = await TestCluster.create();
    await c.apply(pinned("app", "node:20", "k8s-node2"));
    await c.advance(60);
    const entry = images(c.get(NODE, "", "k8s-node2")).find((i) => i.names.includes("docker.io/library/node:20"))!;
    expect(entry.names).toHaveLength(2);
    expect(entry.names[0]).toMatch(/^docker\.io\/library\/node@sha256:[0-9a-f]{64}$/);
    expect(entry.sizeBytes).toBe(399_800_000);
    expect(images(c.get(NODE, "", "k8s-node2"))[0]).toBe(entry);
    expect(images(c.get(NODE, "", "k8s-node1")).some((i) => i.names.includes("docker.io/library/node:20"))).toBe(false);
    const rv = c.get(NODE, "", "k8s-node2")!.metadata.resourceVersion;
    await c.apply(pinned("again", "node:20", "k8s-node2"));
    await c.advance(60);
    expect(c.get(NODE, "", "k8s-node2")!.metadata.resourceVersion).toBe(rv);
  });

  it("keeps at most 50 images", () => {
    const refs = Array.from({ length: 60 }, (_, i) => `docker.io/library/node@sha256:${i.toString(16).padStart(64, "0")}`);
    const out = nodeStatusImages({ apiVersion: "kubeplay.internal/v1", kind: "Machine", metadata: { name: "n" }, kubelet: "running", images: refs });
    expect(out).toHaveLength(50);
    expect(out[0]).toEqual({ names: [`docker.io/library/node@sha256:${"0".repeat(64)}`], sizeBytes: 399_800_000 });
  });

  it("ImageLocality prefers the node that already holds a big image", async () => {
    const c = await TestCluster.create();
    await c.apply(pinned("warm", "docker.io/library/node:20", "k8s-node2"));
    await c.advance(60);
    await c.delete(c.get(POD, "default", "warm")!);
    await c.advance(60);
    await c.apply({ ...POD, metadata: { name: "app", namespace: "default" }, spec: { containers: [{ name: "c", image: "docker.io/library/node:20" }] } });
    expect((c.get(POD, "default", "app")!.spec as Obj).nodeName).toBe("k8s-node2");
    // Without the image on a node, the same pod goes to the first of the equal workers.
    await c.apply({ ...POD, metadata: { name: "cold", namespace: "default" }, spec: { containers: [{ name: "c", image: "docker.io/library/python:3.12" }] } });
    expect((c.get(POD, "default", "cold")!.spec as Obj).nodeName).toBe("k8s-node1");
  });
});

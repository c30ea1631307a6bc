// The DefaultIngressClass admission plugin: an Ingress created without a class gets the IngressClass
// annotated as the default (the newest of several); one that names a class, in the field or the
// legacy annotation, keeps it; without a default nothing is set, and updates are left alone.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../worker/resources/types";
import { TestCluster } from "../../cluster";

type Obj = Record<string, any>;
const ING = { apiVersion: "networking.k8s.io/v1", kind: "Ingress" };

function ingressClass(name: string, isDefault: boolean): KubeObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name, ...(isDefault ? { annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } } : {}) },
    spec: { controller: `example.com/${name}` },
  };
}

function ingress(name: string, spec: Obj = {}, annotations?: Record<string, string>): KubeObject {
  return { ...ING, metadata: { name, namespace: "default", ...(annotations ? { annotations } : {}) }, spec: { defaultBackend: { service: { name: "web", port: { number: 80 } } }, ...spec } };
}

const className = (o: KubeObject) => (o.spec as Obj).ingressClassName;

describe("DefaultIngressClass admission", () => {
  it("leaves an Ingress without a class alone while no class is the default", async () => {
    const c = await TestCluster.create({ controllers: [] });
    await c.apply(ingressClass("plain", false));
    expect(className(await c.apply(ingress("a")))).toBeUndefined();
  });

  it("gives an Ingress without a class the default class, the newest of several", async () => {
    const c = await TestCluster.create({ controllers: [] });
    await c.apply(ingressClass("first", true));
    expect(className(await c.apply(ingress("a")))).toBe("first");
    await c.advance(5);
    await c.apply(ingressClass("second", true));
    expect(className(await c.apply(ingress("b")))).toBe("second");
    // A class named in the field or the legacy annotation is kept.
    expect(className(await c.apply(ingress("c", { ingressClassName: "plain" })))).toBe("plain");
    const legacy = await c.apply(ingress("d", {}, { "kubernetes.io/ingress.class": "nginx" }));
    expect(className(legacy)).toBeUndefined();
  });

  it("only on create: an update that drops the class is not defaulted", async () => {
    const c = await TestCluster.create({ controllers: [] });
    await c.apply(ingress("a", { ingressClassName: "plain" }));
    await c.apply(ingressClass("def", true));
    const updated = await c.modify(ING, "default", "a", (o) => void delete (o.spec as Obj).ingressClassName);
    expect(className(updated as KubeObject)).toBeUndefined();
  });
});

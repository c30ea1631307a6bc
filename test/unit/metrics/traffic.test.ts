// Load generators: what the process model reports of an endless request loop, where its URL
// resolves to, and the request rate and server load that follow (the HPA walkthrough's numbers).
import { describe, expect, it } from "vitest";
import { ClusterLoad } from "../../../worker/metrics/load";
import { parseUrl, resolveUrl } from "../../../worker/metrics/traffic";
import { layeredFs } from "../../../worker/runtime/fs";
import { resolveImage } from "../../../worker/runtime/images";
import { runProcess } from "../../../worker/runtime/process";
import { FakeView, loadGenerator, phpApache, START } from "./fake-view";

function model(image: string, args: string[]) {
  const r = resolveImage(image);
  if (!r.ok) throw new Error(r.message);
  return runProcess({ image, args, env: {}, hostname: "client", startedAt: START }, { fs: layeredFs({ image: r.image.files, mounts: [] }) });
}

describe("loop traffic in the process model", () => {
  it.each([
    {
      script: "while sleep 0.01; do wget -q -O- http://php-apache; done",
      traffic: [{ turnMs: 10, commands: 2, requests: [{ url: "http://php-apache", perTurn: 1 }] }],
    },
    {
      script: "while true; do wget -q -O- http://web:8080/a; wget -q -O- http://web:8080/a; sleep 1; done",
      traffic: [{ turnMs: 1000, commands: 4, requests: [{ url: "http://web:8080/a", perTurn: 2 }] }],
    },
    {
      script: "(while true; do wget -q -O- http://a; done) & sleep 3600",
      traffic: [{ turnMs: 0, commands: 2, requests: [{ url: "http://a", perTurn: 1 }] }],
    },
    { script: "while true; do :; done", traffic: [{ turnMs: 0, commands: 2, requests: [] }] },
    { script: "wget -q -O- http://php-apache; sleep 5", traffic: undefined },
  ])("$script", ({ script, traffic }) => {
    expect(model("busybox:1.28", ["/bin/sh", "-c", script]).traffic).toEqual(traffic);
  });

  it("curl loops count too; servers report none", () => {
    expect(model("curlimages/curl", ["sh", "-c", "while true; do curl -s http://svc.ns/; done"]).traffic).toEqual([
      { turnMs: 0, commands: 2, requests: [{ url: "http://svc.ns/", perTurn: 1 }] },
    ]);
    expect(model("registry.k8s.io/hpa-example", []).traffic).toBeUndefined();
  });
});

describe("URL resolution", () => {
  const view = new FakeView();
  view.node("node1");
  view.pod("php-1", [phpApache()], { labels: { run: "php-apache" }, ip: "10.244.1.21" });
  view.pod("php-2", [phpApache()], { labels: { run: "php-apache" }, ip: "10.244.1.22" });
  view.pod("php-unready", [phpApache()], { labels: { run: "php-apache" }, ip: "10.244.1.23", ready: false });
  view.pod("named", [{ name: "web", image: "nginx", ports: [{ name: "http", containerPort: 8080 }] }], { labels: { app: "named" }, namespace: "other", ip: "10.244.1.30" });
  view.service("php-apache", { run: "php-apache" }, [{ port: 80, protocol: "TCP", targetPort: 80 }], { clusterIP: "10.96.10.10" });
  view.service("named", { app: "named" }, [{ port: 80, protocol: "TCP", targetPort: "http" }], { clusterIP: "10.96.10.11", namespace: "other" });

  const names = (url: string, from = "default") => resolveUrl(view, from, url).map((e) => `${e.pod.metadata.name}:${e.port}`);

  it.each([
    ["http://php-apache", ["php-1:80", "php-2:80"]],
    ["php-apache", ["php-1:80", "php-2:80"]],
    ["http://php-apache.default", ["php-1:80", "php-2:80"]],
    ["http://php-apache.default.svc/x?y=1", ["php-1:80", "php-2:80"]],
    ["http://php-apache.default.svc.cluster.local.", ["php-1:80", "php-2:80"]],
    ["http://10.96.10.10", ["php-1:80", "php-2:80"]],
    ["http://10.244.1.22:80", ["php-2:80"]],
    ["http://php-apache:8080", []],
    ["http://nothing", []],
    ["http://named.other", ["named:8080"]],
    ["https://php-apache", []],
  ])("%s", (url, want) => {
    expect(names(url)).toEqual(want);
  });

  it("a bare name resolves in the client's own namespace", () => {
    expect(names("http://named", "other")).toEqual(["named:8080"]);
    expect(names("http://named")).toEqual([]);
  });

  it("parses hosts and default ports", () => {
    expect(parseUrl("https://Example.COM/path")).toEqual({ host: "example.com", port: 443 });
    expect(parseUrl("web:8080")).toEqual({ host: "web", port: 8080 });
  });
});

describe("load", () => {
  const window = { start: START + 600_000, end: START + 615_000 };

  function cluster(replicas: number, generatorStarted = START) {
    const view = new FakeView();
    view.node("node1");
    for (let i = 0; i < replicas; i++) view.pod(`php-${i}`, [phpApache()], { labels: { run: "php-apache" } });
    view.service("php-apache", { run: "php-apache" }, [{ port: 80, protocol: "TCP", targetPort: 80 }]);
    view.pod("load-generator", [loadGenerator()], { started: generatorStarted });
    return new ClusterLoad(view, window, window.end);
  }

  it("one php-apache pod limited to 500m serves 20 requests/s of the 27 the loop would send", () => {
    const load = cluster(1);
    // 500m less its 1m idle, 25 ms a request; the client slows to the same pace.
    expect(load.served.get("default/php-0/php-apache")).toBeCloseTo(499 / 25, 5);
    expect(load.clientMilli.get("default/load-generator/load-generator")).toBeCloseTo(499 / 25, 5);
  });

  it("seven pods share the loop's 27 requests/s", () => {
    const load = cluster(7);
    for (let i = 0; i < 7; i++) expect(load.served.get(`default/php-${i}/php-apache`)).toBeCloseTo(1000 / 37 / 7, 5);
    expect(load.clientMilli.get("default/load-generator/load-generator")).toBeCloseTo(1000 / 37, 5);
  });

  it("a generator started during the window counts for the part it ran", () => {
    const load = cluster(7, window.start + 10_000);
    expect(load.clientMilli.get("default/load-generator/load-generator")).toBeCloseTo(1000 / 37 / 3, 5);
  });

  it("no endpoints: the loop still runs, nobody serves", () => {
    const view = new FakeView();
    view.node("node1");
    view.pod("load-generator", [loadGenerator()]);
    const load = new ClusterLoad(view, window, window.end);
    expect([...load.served.keys()]).toEqual([]);
    expect(load.clientMilli.get("default/load-generator/load-generator")).toBeCloseTo(1000 / 12, 5);
  });
});

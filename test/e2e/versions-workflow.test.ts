// The everyday kubectl workflow, run with every bundled kubectl version against one sandbox per version.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  kubectl,
  kubectlBackground,
  kubectlOk,
  KUBECTL_VERSIONS,
  table,
  writeFile,
  type KubectlOptions,
  type Sandbox,
} from "./harness";

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        env:
        - name: A
          value: "1"
        - name: B
          value: "2"
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
`;

const lines = (s: string) => s.split("\n").filter((l) => l !== "");

describe.each(KUBECTL_VERSIONS)("kubectl %s", (version) => {
  let sb: Sandbox;
  const run = (args: string[], opts: KubectlOptions = {}) => kubectl(sb, args, { version, ...opts });
  const ok = (args: string[], opts: KubectlOptions = {}) => kubectlOk(sb, args, { version, ...opts });
  const jsonpath = (target: string[], path: string) => ok(["get", ...target, "-o", `jsonpath=${path}`]);

  // Pods no node can take stay Pending whatever the scheduler does, so their rows are stable.
  const unschedulable = '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"e2e.kubeplay.dev/nowhere":"true"}}}';

  beforeAll(async () => {
    sb = await createSandbox();
  });

  it("creates and applies manifests, client- and server-side", () => {
    const cm = writeFile(sb, "cm.yaml", CONFIGMAP);
    expect(ok(["create", "-f", cm])).toBe("configmap/settings created\n");

    const deploy = writeFile(sb, "deploy.yaml", DEPLOYMENT);
    expect(ok(["apply", "-f", deploy])).toBe("deployment.apps/web created\n");
    expect(ok(["apply", "-f", deploy])).toBe("deployment.apps/web unchanged\n");
    // A changed field, and a removed list element (env B) that must really disappear.
    writeFile(sb, "deploy.yaml", DEPLOYMENT.replace("replicas: 2", "replicas: 3").replace(`        - name: B\n          value: "2"\n`, ""));
    expect(ok(["apply", "-f", deploy])).toBe("deployment.apps/web configured\n");
    expect(ok(["apply", "-f", deploy])).toBe("deployment.apps/web unchanged\n");
    expect(jsonpath(["deploy", "web"], "{.spec.replicas} {.spec.template.spec.containers[0].env[*].name}")).toBe("3 A");
    const yaml = ok(["get", "deploy", "web", "-o", "yaml"]);
    expect(yaml).toContain("        - name: A\n          value: \"1\"\n");
    expect(yaml).not.toContain("name: B");
    expect(yaml).toContain("generation: 2\n");
    // A removed map field goes too.
    writeFile(sb, "deploy.yaml", DEPLOYMENT.replace("  labels:\n    app: web\nspec:", "spec:"));
    expect(ok(["apply", "-f", deploy])).toBe("deployment.apps/web configured\n");
    expect(ok(["get", "deploy", "web", "-o", "yaml"])).not.toMatch(/^  labels:/m);

    const ssa = writeFile(sb, "ssa.yaml", CONFIGMAP.replace("settings", "ssa"));
    expect(ok(["apply", "--server-side", "-f", ssa])).toBe("configmap/ssa serverside-applied\n");
    expect(ok(["apply", "--server-side", "-f", ssa])).toBe("configmap/ssa serverside-applied\n");
    expect(ok(["patch", "configmap", "ssa", "--type=merge", "-p", '{"data":{"color":"red"}}'])).toBe("configmap/ssa patched\n");
    const conflict = run(["apply", "--server-side", "-f", ssa]);
    expect(conflict.code).toBe(1);
    expect(lines(conflict.stderr)[0]).toBe('error: Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: .data.color');
    expect(conflict.stderr).toContain("--force-conflicts");
    expect(ok(["apply", "--server-side", "--force-conflicts", "-f", ssa])).toBe("configmap/ssa serverside-applied\n");
    expect(jsonpath(["configmap", "ssa"], "{.data.color} {.metadata.managedFields[*].manager}")).toBe("blue kubectl");
  });

  it("creates objects imperatively (protobuf bodies)", () => {
    expect(ok(["create", "deployment", "api", "--image=nginx:1.27", "--replicas=2", "--port=80"])).toBe("deployment.apps/api created\n");
    expect(ok(["create", "namespace", "team"])).toBe("namespace/team created\n");
    expect(ok(["create", "configmap", "flags", "--from-literal=debug=true", "-n", "team"])).toBe("configmap/flags created\n");
    expect(ok(["create", "secret", "generic", "creds", "--from-literal=password=hunter2"])).toBe("secret/creds created\n");

    expect(
      jsonpath(["deploy", "api"], "{.spec.replicas} {.spec.strategy.type} {.spec.strategy.rollingUpdate.maxSurge} {.spec.template.spec.containers[0].ports[0].containerPort} {.spec.selector.matchLabels.app}"),
    ).toBe("2 RollingUpdate 25% 80 api");
    expect(jsonpath(["namespace", "team"], "{.status.phase} {.metadata.labels.kubernetes\\.io/metadata\\.name}")).toBe("Active team");
    expect(jsonpath(["configmap", "flags", "-n", "team"], "{.data.debug}")).toBe("true");
    expect(jsonpath(["secret", "creds"], "{.type} {.data.password}")).toBe(`Opaque ${Buffer.from("hunter2").toString("base64")}`);
  });

  it("reads with get in every output format", () => {
    // Replica counts belong to the workload controllers; the columns and the spec-derived cells are checked.
    expect(table(ok(["get", "deployments"]))).toMatch(/^NAME READY UP-TO-DATE AVAILABLE AGE\napi \d+\/2 \d+ \d+ AGE\nweb \d+\/2 \d+ \d+ AGE$/);
    expect(table(ok(["get", "deploy", "api", "-o", "wide"]))).toMatch(
      /^NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR\napi \d+\/2 \d+ \d+ AGE nginx nginx:1\.27 app=api$/,
    );
    const all = table(ok(["get", "configmaps", "-A"])).split("\n");
    expect(all[0]).toBe("NAMESPACE NAME DATA AGE");
    expect(all).toEqual(expect.arrayContaining(["default settings 1 AGE", "default ssa 1 AGE", "team flags 1 AGE", "kube-system kube-root-ca.crt 1 AGE"]));
    expect(table(ok(["get", "deploy", "api", "--show-labels"]))).toMatch(/^NAME READY UP-TO-DATE AVAILABLE AGE LABELS\napi \S+ \d+ \d+ AGE app=api$/);
    expect(table(ok(["get", "configmap", "settings", "ssa", "--show-labels", "-o", "wide"]))).toBe(
      ["NAME DATA AGE LABELS", "settings 1 AGE <none>", "ssa 1 AGE <none>"].join("\n"),
    );
    expect(table(ok(["get", "ns"]))).toContain("team Active AGE");

    const yaml = ok(["get", "configmap", "settings", "-o", "yaml"]);
    expect(yaml).toMatch(/^apiVersion: v1\ndata:\n  color: blue\nkind: ConfigMap\nmetadata:\n  creationTimestamp: "[0-9TZ:-]+"\n  name: settings\n  namespace: default\n  resourceVersion: "\d+"\n  uid: [0-9a-f-]{36}\n$/);
    const json = JSON.parse(ok(["get", "configmap", "settings", "-o", "json"]));
    expect(json).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", data: { color: "blue" }, metadata: { name: "settings", namespace: "default" } });
    expect(json.metadata.managedFields).toBeUndefined();
    const list = JSON.parse(ok(["get", "deploy", "-o", "json"]));
    expect(list.kind).toBe("List");
    expect(list.items.map((d: { metadata: { name: string } }) => d.metadata.name)).toEqual(["api", "web"]);
    expect(ok(["get", "deploy", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{\"\\n\"}{end}"])).toBe("api=2\nweb=2\n");
    expect(ok(["get", "deploy", "-o", "name"])).toBe("deployment.apps/api\ndeployment.apps/web\n");
  });

  it("watches a pod being created, labelled and deleted (get -w)", async () => {
    expect(ok(["run", "before", "--image=nginx", "--labels=e2e=watch", unschedulable])).toBe("pod/before created\n");
    const watch = kubectlBackground(sb, ["get", "pods", "-l", "e2e=watch", "-w", "--output-watch-events"], { version });
    try {
      // The first rows come from the list; every later change arrives through the watch.
      await watch.waitFor((o) => o.includes("before"));
      expect(ok(["run", "watched", "--image=nginx", "--labels=e2e=watch", unschedulable])).toBe("pod/watched created\n");
      expect(ok(["label", "pod", "watched", "tier=web"])).toBe("pod/watched labeled\n");
      expect(ok(["delete", "pod", "watched"])).toBe('pod "watched" deleted\n');
      await watch.waitFor((o) => o.includes("DELETED"));
    } finally {
      await watch.stop();
    }
    // A scheduler may add MODIFIED rows of its own; the sequence must still be list, add, change(s), delete.
    const rows = table(watch.output()).split("\n");
    expect(rows.slice(0, 3)).toEqual(["EVENT NAME READY STATUS RESTARTS AGE", "ADDED before 0/1 Pending 0 AGE", "ADDED watched 0/1 Pending 0 AGE"]);
    const watched = rows.filter((r) => r.split(" ")[1] === "watched").map((r) => r.split(" ")[0]);
    expect(watched[0]).toBe("ADDED");
    expect(watched.at(-1)).toBe("DELETED");
    expect(watched.slice(1, -1).length).toBeGreaterThan(0);
    expect(new Set(watched.slice(1, -1))).toEqual(new Set(["MODIFIED"]));
    expect(watch.errors()).toBe("");
  });

  it("changes objects with label, annotate, scale, edit and diff", () => {
    // kubectl 1.27 words its own message "annotate".
    const annotated = version === "1.27" ? "annotate" : "annotated";
    // On a ConfigMap: no controller adds labels or annotations of its own.
    expect(ok(["label", "configmap", "settings", "tier=backend"])).toBe("configmap/settings labeled\n");
    expect(ok(["annotate", "configmap", "settings", "owner=team-a"])).toBe(`configmap/settings ${annotated}\n`);
    expect(jsonpath(["configmap", "settings"], "{.metadata.labels.tier} {.metadata.annotations.owner}")).toBe("backend team-a");
    const relabel = run(["label", "configmap", "settings", "tier=frontend"]);
    expect(relabel.code).toBe(1);
    expect(relabel.stderr).toBe("error: 'tier' already has a value (backend), and --overwrite is false\n");
    expect(ok(["label", "configmap", "settings", "tier=frontend", "--overwrite"])).toBe("configmap/settings labeled\n");
    expect(ok(["label", "configmap", "settings", "tier-"])).toBe("configmap/settings unlabeled\n");
    expect(ok(["annotate", "configmap", "settings", "owner-"])).toBe(`configmap/settings ${annotated}\n`);
    // The emptied maps are gone, not left as `{}`.
    expect(ok(["get", "configmap", "settings", "-o", "yaml"])).not.toMatch(/owner|tier|labels|annotations/);

    expect(ok(["scale", "deploy", "api", "--replicas=4"])).toBe("deployment.apps/api scaled\n");
    expect(jsonpath(["deploy", "api"], "{.spec.replicas}")).toBe("4");

    expect(ok(["edit", "deploy", "api"], { env: { KUBE_EDITOR: "sed -i s/replicas:\\ 4/replicas:\\ 5/" } })).toBe("deployment.apps/api edited\n");
    expect(ok(["edit", "configmap", "settings"], { env: { EDITOR: "sed -i s/color:\\ blue/color:\\ green/" } })).toBe("configmap/settings edited\n");
    expect(jsonpath(["deploy", "api"], "{.spec.replicas}")).toBe("5");
    expect(jsonpath(["configmap", "settings"], "{.data.color}")).toBe("green");
    const unchanged = run(["edit", "deploy", "api"], { env: { KUBE_EDITOR: "true" } });
    expect(unchanged.code).toBe(0);
    expect(unchanged.stderr).toBe("Edit cancelled, no changes made.\n");

    // diff: a dry-run apply of the manifest, shown against the live object.
    const generation = Number(jsonpath(["deploy", "web"], "{.metadata.generation}"));
    const manifest = DEPLOYMENT.replace("  labels:\n    app: web\nspec:", "spec:");
    const changed = writeFile(sb, "web-6.yaml", manifest.replace("replicas: 2", "replicas: 6"));
    const diff = run(["diff", "-f", changed]);
    expect(diff.code).toBe(1);
    expect(diff.stdout.split("\n").filter((l) => /^[-+] /.test(l))).toEqual([
      `-  generation: ${generation}`,
      `+  generation: ${generation + 1}`,
      "-  replicas: 2",
      "+  replicas: 6",
    ]);
    expect(jsonpath(["deploy", "web"], "{.spec.replicas} {.metadata.generation}")).toBe(`2 ${generation}`);
    const same = run(["diff", "-f", writeFile(sb, "web-2.yaml", manifest)]);
    expect(same).toMatchObject({ code: 0, stdout: "" });
  });

  it("deletes objects and waits for them to go", () => {
    expect(ok(["delete", "deploy", "api"])).toBe('deployment.apps "api" deleted\n');
    expect(ok(["delete", "-f", `${sb.dir}/deploy.yaml`])).toBe('deployment.apps "web" deleted\n');
    expect(ok(["delete", "secret/creds", "configmap/ssa"])).toBe('secret "creds" deleted\nconfigmap "ssa" deleted\n');
    const none = run(["get", "deploy"]);
    expect(none).toMatchObject({ code: 0, stdout: "", stderr: "No resources found in default namespace.\n" });
  });

  it("explains fields, lists resource types and reports the server version", () => {
    const explain = ok(["explain", "deployment.spec.strategy"]);
    expect(explain).toContain("KIND:       Deployment\nVERSION:    v1\n\nFIELD: strategy <DeploymentStrategy>\n");
    expect(explain).toContain("DESCRIPTION:\n    The deployment strategy to use to replace existing pods with new ones.\n");
    expect(explain).toMatch(/rollingUpdate\t<RollingUpdateDeployment>\n    Rolling update config params. Present only if DeploymentStrategyType =\n    RollingUpdate./);

    const resources = table(ok(["api-resources"])).split("\n");
    expect(resources[0]).toBe("NAME SHORTNAMES APIVERSION NAMESPACED KIND");
    expect(resources).toContain("pods po v1 true Pod");
    expect(resources).toContain("deployments deploy apps/v1 true Deployment");
    expect(resources).toContain("namespaces ns v1 false Namespace");

    const v = ok(["version"]);
    if (version === "1.27") expect(v).toContain('Server Version: version.Info{Major:"1", Minor:"32", GitVersion:"v1.32.3"');
    else expect(lines(v)).toContain("Server Version: v1.32.3");
  });
});

// The everyday kubectl workflow, run with every bundled kubectl version against one sandbox per version.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createSandbox,
  kubectl,
  kubectlBackground,
  kubectlOk,
  KUBECTL_VERSIONS,
  squash,
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
    expect(squash(ok(["get", "deployments"]))).toBe(["NAME READY UP-TO-DATE AVAILABLE AGE", "api 0/2 0 0 0s", "web 0/2 0 0 0s"].join("\n").replace(/0s/g, "AGE"));
  });
});

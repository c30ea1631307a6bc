// What every bundled kubectl prints for the apiserver's errors, and namespace deletion.
import { beforeAll, describe, expect, it } from "vitest";
import { createSandbox, kubectl, kubectlOk, KUBECTL_VERSIONS, writeFile, type KubectlOptions, type Sandbox } from "./harness";

const NODEPORT_SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: x
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 8080
`;

const MISMATCHED_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bad
spec:
  selector:
    matchLabels:
      app: a
  template:
    metadata:
      labels:
        app: b
    spec:
      containers:
      - name: c
        image: nginx
`;

const UNKNOWN_FIELD = `apiVersion: v1
kind: ConfigMap
metadata:
  name: odd
bogus: 1
data:
  a: b
`;

describe.each(KUBECTL_VERSIONS)("kubectl %s", (version) => {
  let sb: Sandbox;
  const run = (args: string[], opts: KubectlOptions = {}) => kubectl(sb, args, { version, ...opts });
  const ok = (args: string[], opts: KubectlOptions = {}) => kubectlOk(sb, args, { version, ...opts });
  /** Runs a command that must fail; returns its stderr without kubectl's version-skew warning. */
  const fails = (args: string[], code = 1) => {
    const r = run(args);
    expect(r, `kubectl ${args.join(" ")}`).toMatchObject({ code, stdout: "" });
    return r.stderr.replace(/^WARNING: version difference .*\n/m, "");
  };

  beforeAll(async () => {
    sb = await createSandbox();
  });

  it("reports NotFound, AlreadyExists and Conflict", () => {
    expect(fails(["get", "pod", "nope"])).toBe('Error from server (NotFound): pods "nope" not found\n');
    expect(fails(["get", "deploy", "nope"])).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
    expect(fails(["delete", "configmap", "nope"])).toBe('Error from server (NotFound): configmaps "nope" not found\n');

    const cm = writeFile(sb, "dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n");
    expect(ok(["create", "-f", cm])).toBe("configmap/dup created\n");
    expect(fails(["create", "-f", cm])).toBe(`Error from server (AlreadyExists): error when creating "${cm}": configmaps "dup" already exists\n`);
    expect(fails(["create", "configmap", "dup"])).toBe('error: failed to create configmap: configmaps "dup" already exists\n');
    expect(fails(["create", "namespace", "default"])).toBe('Error from server (AlreadyExists): namespaces "default" already exists\n');

    // An update carrying an old resourceVersion is refused.
    expect(ok(["create", "deployment", "web", "--image=nginx"])).toBe("deployment.apps/web created\n");
    const stale = writeFile(sb, "stale.yaml", ok(["get", "deploy", "web", "-o", "yaml"]));
    expect(ok(["label", "deploy", "web", "changed=yes"])).toBe("deployment.apps/web labeled\n");
    expect(fails(["replace", "-f", stale])).toBe(
      `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again\n`,
    );
    expect(ok(["get", "deploy", "web", "-o", "jsonpath={.metadata.labels.changed}"])).toBe("yes");
  });

  it("reports Invalid objects with their field errors", () => {
    const svc = writeFile(sb, "svc.yaml", NODEPORT_SERVICE);
    const nodePort =
      'The Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767\n';
    expect(fails(["apply", "-f", svc])).toBe(nodePort);
    expect(fails(["create", "-f", svc])).toBe(nodePort);

    const deploy = writeFile(sb, "bad.yaml", MISMATCHED_DEPLOYMENT);
    expect(fails(["apply", "-f", deploy])).toBe(
      'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`\n',
    );
    expect(fails(["create", "deployment", "neg", "--image=nginx", "--replicas=-1"])).toBe(
      'error: failed to create deployment: Deployment.apps "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n',
    );
    expect(fails(["scale", "deploy", "web", "--replicas=-2"])).toBe("error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n");
    const labelError = (key: string) =>
      `The Deployment "web" is invalid: metadata.labels: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')\n`;
    expect(fails(["label", "deploy", "web", "bad label=x"])).toBe(labelError("bad label"));
    expect(fails(["label", "deploy", "web", "_x=y"])).toBe(labelError("_x"));
  });

  it("rejects unknown fields when validation is strict", () => {
    const file = writeFile(sb, "odd.yaml", UNKNOWN_FIELD);
    const strict = `Error from server (BadRequest): error when creating "${file}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"\n`;
    expect(fails(["apply", "--validate=strict", "-f", file])).toBe(strict);
    expect(fails(["create", "-f", file])).toBe(strict);
    const warn = run(["create", "--validate=warn", "-f", file]);
    expect(warn).toMatchObject({ code: 0, stdout: "configmap/odd created\n" });
    expect(warn.stderr).toContain('Warning: unknown field "bogus"\n');
    expect(ok(["get", "configmap", "odd", "-o", "jsonpath={.data.a}"])).toBe("b");
  });

  it("deletes a namespace with content, and refuses to delete default", () => {
    expect(ok(["create", "namespace", "doomed"])).toBe("namespace/doomed created\n");
    expect(ok(["create", "configmap", "inside", "-n", "doomed"])).toBe("configmap/inside created\n");
    // A pod no node can take: nothing to terminate gracefully, so the namespace empties at once.
    const unschedulable = '--overrides={"apiVersion":"v1","spec":{"nodeSelector":{"e2e.kubeplay.dev/nowhere":"true"}}}';
    expect(ok(["run", "inside", "--image=nginx", "-n", "doomed", unschedulable])).toBe("pod/inside created\n");
    // The default --wait=true returns only once the namespace controller has emptied and removed it.
    expect(ok(["delete", "namespace", "doomed"])).toBe('namespace "doomed" deleted\n');
    expect(fails(["get", "namespace", "doomed"])).toBe('Error from server (NotFound): namespaces "doomed" not found\n');
    // kubectl looks the namespace up after a NotFound and names it instead.
    expect(fails(["get", "configmap", "inside", "-n", "doomed"])).toBe('Error from server (NotFound): namespaces "doomed" not found\n');

    expect(fails(["delete", "namespace", "default"])).toBe(
      'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n',
    );
    expect(fails(["delete", "namespace", "kube-system"])).toBe(
      'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted\n',
    );
  });
});

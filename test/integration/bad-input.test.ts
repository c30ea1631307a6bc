// Bad input gets the apiserver's Status error, never a 500, and leaves nothing behind.
import { describe, expect, it } from "vitest";
import { api, createSandbox, deployment, pod } from "./helpers";

const PODS = "/api/v1/namespaces/default/pods";

async function podCount(id: string): Promise<number> {
  return (await api(id, "GET", "/api/v1/pods")).json.items.length;
}

describe("bad input", () => {
  it("answers each malformed request with the right Status and writes nothing", async () => {
    const sb = await createSandbox();
    const before = await podCount(sb.id);
    const rvBefore = (await api(sb.id, "GET", PODS)).json.metadata.resourceVersion;
    const cases: { name: string; method: string; path: string; body?: unknown; headers?: Record<string, string>; code: number; reason: string; message?: RegExp }[] = [
      { name: "malformed JSON", method: "POST", path: PODS, body: '{"kind": "Pod",', code: 400, reason: "BadRequest" },
      { name: "JSON that is not an object", method: "POST", path: PODS, body: "[1,2]", code: 400, reason: "BadRequest" },
      { name: "malformed YAML", method: "POST", path: PODS, body: "kind: Pod\n  metadata: : :\n\t- x", headers: { "content-type": "application/yaml" }, code: 400, reason: "BadRequest" },
      { name: "malformed protobuf", method: "POST", path: PODS, body: new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff, 0xff]), headers: { "content-type": "application/vnd.kubernetes.protobuf" }, code: 400, reason: "BadRequest" },
      { name: "protobuf without the magic", method: "POST", path: PODS, body: new Uint8Array([1, 2, 3, 4, 5]), headers: { "content-type": "application/vnd.kubernetes.protobuf" }, code: 400, reason: "BadRequest" },
      { name: "unsupported content type", method: "POST", path: PODS, body: "x", headers: { "content-type": "text/plain" }, code: 415, reason: "UnsupportedMediaType" },
      { name: "unsupported patch type", method: "PATCH", path: `${PODS}/nope`, body: "{}", headers: { "content-type": "application/json" }, code: 415, reason: "UnsupportedMediaType" },
      { name: "kind does not match the endpoint", method: "POST", path: PODS, body: { ...deployment("d") }, code: 400, reason: "BadRequest", message: /does not match the expected API version/ },
      { name: "invalid name", method: "POST", path: PODS, body: pod("Bad_Name"), code: 422, reason: "Invalid", message: /^Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/ },
      { name: "missing name", method: "POST", path: PODS, body: { ...pod(""), metadata: {} }, code: 422, reason: "Invalid", message: /name or generateName is required/ },
      { name: "missing image", method: "POST", path: PODS, body: { ...pod("noimg"), spec: { containers: [{ name: "c" }] } }, code: 422, reason: "Invalid", message: /spec.containers\[0\].image: Required value/ },
      { name: "unknown field, strict", method: "POST", path: `${PODS}?fieldValidation=Strict`, body: { ...pod("strict"), spec: { containers: [{ name: "c", image: "nginx", imagee: "x" }] } }, code: 400, reason: "BadRequest", message: /strict decoding error: unknown field "spec.containers\[0\].imagee"/ },
      { name: "bad fieldValidation", method: "POST", path: `${PODS}?fieldValidation=Loud`, body: pod("fv"), code: 400, reason: "BadRequest" },
      { name: "unknown resource", method: "GET", path: "/api/v1/namespaces/default/widgets", code: 404, reason: "NotFound" },
      { name: "unknown group", method: "GET", path: "/apis/example.com/v1/widgets", code: 404, reason: "NotFound" },
      { name: "missing namespace", method: "POST", path: "/api/v1/namespaces/nowhere/pods", body: pod("lost"), code: 404, reason: "NotFound", message: /^namespaces "nowhere" not found$/ },
      { name: "body over 3 MiB", method: "POST", path: "/api/v1/namespaces/default/configmaps", body: JSON.stringify({ metadata: { name: "big" }, data: { k: "x".repeat(3 * 1024 * 1024 + 10) } }), code: 413, reason: "RequestEntityTooLarge" },
      { name: "bad label selector", method: "GET", path: `${PODS}?labelSelector=${encodeURIComponent("a in (b")}`, code: 400, reason: "BadRequest" },
      { name: "bad json patch", method: "PATCH", path: "/api/v1/namespaces/default/services/kubernetes", body: '[{"op":"explode","path":"/x"}]', headers: { "content-type": "application/json-patch+json" }, code: 422, reason: "Invalid" },
      { name: "nodePort out of range", method: "POST", path: "/api/v1/namespaces/default/services", body: { metadata: { name: "np" }, spec: { type: "NodePort", ports: [{ port: 80, nodePort: 8080 }] } }, code: 422, reason: "Invalid", message: /spec.ports\[0\].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767/ },
      { name: "bad delete options", method: "DELETE", path: `${PODS}/whatever`, body: { propagationPolicy: "Sideways" }, code: 422, reason: "Invalid" },
      { name: "deeply nested garbage", method: "POST", path: "/api/v1/namespaces/default/configmaps", body: `{"metadata":{"name":"deep"},"data":${"[".repeat(5000)}${"]".repeat(5000)}}`, code: 400, reason: "BadRequest" },
    ];
    for (const c of cases) {
      const res = await api(sb.id, c.method, c.path, c.body, c.headers);
      expect(res.status, c.name).toBe(c.code);
      expect(res.json?.kind, c.name).toBe("Status");
      expect(res.json.reason, c.name).toBe(c.reason);
      if (c.message) expect(res.json.message, c.name).toMatch(c.message);
    }
    expect(await podCount(sb.id)).toBe(before);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/services")).json.items).toHaveLength(1);
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/configmaps")).json.items).toHaveLength(1);
    expect((await api(sb.id, "GET", PODS)).json.metadata.resourceVersion).toBe(rvBefore);
  });

  it("rejects a Service that takes an allocated nodePort, leaving the first intact", async () => {
    const sb = await createSandbox();
    const svc = (name: string) => ({ metadata: { name }, spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80, nodePort: 30080 }] } });
    expect((await api(sb.id, "POST", "/api/v1/namespaces/default/services", svc("first"))).status).toBe(201);
    const second = await api(sb.id, "POST", "/api/v1/namespaces/default/services", svc("second"));
    expect(second.status).toBe(422);
    expect(second.json.message).toBe('Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    expect((await api(sb.id, "GET", "/api/v1/namespaces/default/services/second")).status).toBe(404);
  });

  it("refuses what the fuzz test found slipping through, in kube-apiserver's words, and writes nothing", async () => {
    const sb = await createSandbox();
    const DEPLOYS = "/apis/apps/v1/namespaces/default/deployments";
    expect((await api(sb.id, "POST", DEPLOYS, deployment("web"))).status).toBe(201);
    const rv = (await api(sb.id, "GET", DEPLOYS)).json.metadata.resourceVersion;
    const withReplicas = (replicas: unknown) => ({ ...deployment("typed"), spec: { ...(deployment("typed").spec as object), replicas } });
    const cases: { name: string; method: string; path: string; body?: unknown; headers?: Record<string, string>; code: number; reason: string; message: string | RegExp }[] = [
      // A broken percent-escape in a path segment once threw URIError: a 500.
      { name: "bad escape in a namespace", method: "GET", path: "/api/v1/namespaces/%zz/pods", code: 400, reason: "BadRequest", message: 'invalid URL escape "%zz"' },
      { name: "bad escape at the end of a name", method: "GET", path: `${PODS}/x%E0%A4%A`, code: 400, reason: "BadRequest", message: 'invalid URL escape "%A"' },
      // A continue token is base64 of any JSON: `null` once threw reading a field of it.
      { name: "continue token of null", method: "GET", path: `${PODS}?limit=1&continue=${btoa("null")}`, code: 400, reason: "BadRequest", message: 'invalid continue token: continue key is not valid: server does not recognize this encoded version ""' },
      { name: "continue token of a list", method: "GET", path: `${PODS}?continue=${btoa("[1]")}`, code: 400, reason: "BadRequest", message: "invalid continue token: continue key is not valid: json: cannot unmarshal array into Go value of type storage.continueToken" },
      // Values of the wrong JSON type were stored, and crashed controllers and printers later.
      { name: "replicas as a string", method: "POST", path: DEPLOYS, body: withReplicas("3"), code: 400, reason: "BadRequest", message: 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32' },
      { name: "replicas not an integer", method: "POST", path: DEPLOYS, body: withReplicas(1.5), code: 400, reason: "BadRequest", message: 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32' },
      { name: "replicas past int32", method: "PUT", path: `${DEPLOYS}/web`, body: { ...withReplicas(2147483648), metadata: { name: "web" } }, code: 400, reason: "BadRequest", message: /json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32$/ },
      { name: "a container port as a string", method: "POST", path: PODS, body: pod("typed", { spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: "80" }] }] } }), code: 400, reason: "BadRequest", message: /cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32$/ },
      { name: "a patch that leaves a wrong type", method: "PATCH", path: `${DEPLOYS}/web`, body: { spec: { replicas: "x" } }, headers: { "content-type": "application/merge-patch+json" }, code: 422, reason: "Invalid", message: /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32$/ },
      { name: "scale to 1e308", method: "PATCH", path: `${DEPLOYS}/web/scale`, body: { spec: { replicas: 1e308 } }, headers: { "content-type": "application/merge-patch+json" }, code: 422, reason: "Invalid", message: /json: cannot unmarshal number 1e\+308 into Go struct field ScaleSpec.spec.replicas of type int32$/ },
      // Go's JSON decoder refuses a byte-order mark; the body once went through as if it were not there.
      { name: "JSON after a byte-order mark", method: "POST", path: "/api/v1/namespaces/default/configmaps", body: `\ufeff${JSON.stringify({ metadata: { name: "bom" } })}`, code: 400, reason: "BadRequest", message: /invalid character 'ï' looking for beginning of value/ },
      // The YAML parser's stack overflow used to leak into the message.
      { name: "YAML nested thousands deep", method: "POST", path: "/api/v1/namespaces/default/configmaps", body: `${"[".repeat(5000)}${"]".repeat(5000)}`, headers: { "content-type": "application/yaml" }, code: 400, reason: "BadRequest", message: "the request body is nested too deeply: more than 512 levels" },
      // autoscaling/v1 parsed an apply patch outside of any error handling.
      { name: "broken apply patch to an autoscaling/v1 HPA", method: "PATCH", path: "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/h?fieldManager=t", body: "a: [b", headers: { "content-type": "application/apply-patch+yaml" }, code: 400, reason: "BadRequest", message: /^error decoding YAML: / },
    ];
    for (const c of cases) {
      const res = await api(sb.id, c.method, c.path, c.body, c.headers);
      expect(res.status, `${c.name}: ${res.text.slice(0, 300)}`).toBe(c.code);
      expect(res.json?.kind, c.name).toBe("Status");
      expect(res.json.reason, c.name).toBe(c.reason);
      if (typeof c.message === "string") expect(res.json.message, c.name).toBe(c.message);
      else expect(res.json.message, c.name).toMatch(c.message);
    }
    expect((await api(sb.id, "GET", DEPLOYS)).json.metadata.resourceVersion).toBe(rv);
    // An ingress host with a broken escape, on the outside route (a text answer, as the others there).
    const ingress = await api(sb.id, "GET", "/ingress/%zz/");
    expect(ingress.status).toBe(400);
    expect(ingress.text).toBe('invalid URL escape in the host "%zz"\n');
  });

  it("keeps a pod deleted with a grace period longer than Go's time can hold", async () => {
    const sb = await createSandbox();
    expect((await api(sb.id, "POST", PODS, pod("long", { spec: { nodeName: "k8s-node1", containers: [{ name: "c", image: "nginx:1.25" }] } }))).status).toBe(201);
    // Once "Invalid time value": a 500 computing now + 9007199254740991 s.
    const res = await api(sb.id, "DELETE", `${PODS}/long?gracePeriodSeconds=9007199254740991`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.metadata.deletionGracePeriodSeconds).toBe(9223372036);
    expect(res.json.metadata.deletionTimestamp).toMatch(/^2[0-9]{3}-\d\d-\d\dT/);
  });
});


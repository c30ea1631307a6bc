// The console's combined watch stream (`/s/<id>/console/watch`, worker/service/watch-mux.ts): several
// ordinary Kubernetes watches in one response, each line tagged with its watch's index.
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, fetchRetry, kubectlOk } from "./harness";

interface Line {
  w: number;
  type: string;
  object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string } };
}

const open: AbortController[] = [];
afterEach(() => {
  for (const a of open.splice(0)) a.abort();
});

/** Opens the stream and collects its lines as they come. */
async function stream(url: string) {
  const abort = new AbortController();
  open.push(abort);
  const res = await fetchRetry(url, { signal: abort.signal });
  const lines: Line[] = [];
  let ended = false;
  const done = (async () => {
    if (!res.body) return;
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buf += value;
        for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
          lines.push(JSON.parse(buf.slice(0, nl)) as Line);
          buf = buf.slice(nl + 1);
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  const waitFor = async (pred: (l: Line) => boolean, ms = 15_000): Promise<Line> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const hit = lines.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`timed out; lines: ${JSON.stringify(lines.map((l) => [l.w, l.type, l.object.metadata?.name]))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { res, lines, waitFor, done, ended: () => ended };
}

async function rv(url: string): Promise<string> {
  const res = await fetchRetry(url);
  return ((await res.json()) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
}

describe("console watch stream", () => {
  it("carries several watches, each from its resourceVersion, tagged with its index", async () => {
    const sb = await createSandbox();
    const podsRv = await rv(`${sb.url}/api/v1/pods`);
    const q = [`/api/v1/pods@${podsRv}`, "/apis/apps/v1/deployments@" + podsRv, "/api/v1/nodes"].map((w) => `w=${encodeURIComponent(w)}`).join("&");
    const s = await stream(`${sb.url}/console/watch?${q}`);
    expect(s.res.status).toBe(200);
    expect(s.res.headers.get("content-type")).toBe("application/json");
    // Without a resourceVersion a watch starts with the current objects, as the API's own does.
    await s.waitFor((l) => l.w === 2 && l.type === "ADDED" && l.object.metadata?.name === "k8s-node2");
    // From a resourceVersion: only what changed after it.
    expect(s.lines.filter((l) => l.w === 0)).toEqual([]);
    kubectlOk(sb, ["create", "deployment", "web", "--image=nginx:1.27"]);
    await s.waitFor((l) => l.w === 1 && l.type === "ADDED" && l.object.metadata?.name === "web");
    const pod = await s.waitFor((l) => l.w === 0 && l.type === "ADDED");
    expect(pod.object.kind).toBe("Pod");
    expect(pod.object.metadata?.name).toMatch(/^web-/);
  });

  it("serves the read-only link too", async () => {
    const sb = await createSandbox();
    const s = await stream(`${sb.readOnlyUrl}/console/watch?w=${encodeURIComponent("/api/v1/namespaces")}`);
    expect(s.res.status).toBe(200);
    await s.waitFor((l) => l.type === "ADDED" && l.object.metadata?.name === "kube-system");
  });

  it("ten read-only viewers, each with the console's fourteen watches, all stay live (a stream is one watch slot of the sandbox's 100)", async () => {
    const sb = await createSandbox();
    const at = await rv(`${sb.url}/api/v1/pods`);
    const paths = ["/api/v1/nodes", "/api/v1/pods", "/api/v1/events", "/api/v1/namespaces", "/api/v1/services", "/apis/discovery.k8s.io/v1/endpointslices", "/apis/apps/v1/deployments", "/apis/apps/v1/replicasets", "/apis/apps/v1/statefulsets", "/apis/apps/v1/daemonsets", "/apis/batch/v1/jobs", "/apis/batch/v1/cronjobs", "/api/v1/persistentvolumeclaims", "/api/v1/persistentvolumes"];
    const q = paths.map((p) => `w=${encodeURIComponent(`${p}@${at}`)}`).join("&");
    const viewers = [];
    for (let i = 0; i < 10; i++) viewers.push(await stream(`${sb.readOnlyUrl}/console/watch?${q}`));
    for (const v of viewers) expect(v.res.status).toBe(200);
    kubectlOk(sb, ["create", "deployment", "shared", "--image=nginx:1.27"]);
    for (const v of viewers) {
      await v.waitFor((l) => l.w === 6 && l.type === "ADDED" && l.object.metadata?.name === "shared");
      await v.waitFor((l) => l.w === 1 && l.object.metadata?.name?.startsWith("shared-") === true);
      expect(v.lines.filter((l) => l.type === "ERROR")).toEqual([]);
      expect(v.ended()).toBe(false);
    }
  });

  it("passes a watch's refusal on as an ERROR line and ends the stream", async () => {
    const sb = await createSandbox();
    const s = await stream(`${sb.url}/console/watch?w=${encodeURIComponent("/api/v1/nodes")}&w=${encodeURIComponent("/api/v1/gadgets")}`);
    const error = await s.waitFor((l) => l.type === "ERROR");
    expect(error.w).toBe(1);
    expect(error.object).toMatchObject({ kind: "Status", code: 404 });
    await s.done;
    expect(s.ended()).toBe(true);
  });

  it("refuses what is not a list of API collection paths", async () => {
    const sb = await createSandbox();
    for (const q of ["", "w=/etc/passwd", "w=%2Fapi%2F..%2Fx", `w=${encodeURIComponent("/api/v1/pods@abc")}`, Array.from({ length: 17 }, () => "w=/api/v1/pods").join("&")]) {
      const res = await fetchRetry(`${sb.url}/console/watch?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { kind: string }).kind).toBe("Status");
    }
  });
});

// The live view in a real browser: what the real kubectl does shows up through watch (one list per
// resource, then one combined watch stream — never polling), a 410 makes the page list again, and a
// pod's detail tells its story across the components, deletion included.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectlOk, writeFile } from "./harness";
import { clickOn, consoleReady, launchBrowser, openPage, screenshot, textOf, waitForText } from "./console-harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const listRequests = (requests: string[], path: string) => requests.filter((u) => new URL(u).pathname.endsWith(path) && !u.includes("watch")).length;

async function advance(id: string, seconds: number): Promise<void> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${id}/clock`, { method: "POST", body: JSON.stringify({ advanceSeconds: seconds }) });
  expect(res.status).toBe(200);
  await res.text();
}

describe("live view", () => {
  it("shows a pod made by the real kubectl as it happens, through watch", async () => {
    const sb = await createSandbox();
    const { page, errors, requests } = await openPage(browser, sb.url);
    await consoleReady(page);
    kubectlOk(sb, ["run", "web", "--image=nginx:1.27"]);
    await page.waitForSelector('[data-open="pods/default/web"]', { timeout: 15_000 });
    // It lands on the node the scheduler picked, and turns green once running and ready.
    const node = JSON.parse(kubectlOk(sb, ["get", "pod", "web", "-o", "json"])).spec.nodeName;
    await page.waitForSelector(`[data-node="${node}"] [data-open="pods/default/web"].ok`, { timeout: 15_000 });
    // Everything came from the one list per resource and the watch stream: no list was repeated.
    expect(listRequests(requests, "/api/v1/pods")).toBe(1);
    expect(listRequests(requests, "/api/v1/events")).toBe(1);
    expect(requests.filter((u) => u.includes("/console/watch")).length).toBe(1);
    // The events timeline has the scheduler's and the kubelet's events.
    await page.click('button[data-tab="events"]');
    await waitForText(page, "#cluster-panel", "Scheduled");
    expect(await textOf(page, "#cluster-panel")).toContain("Successfully assigned default/web to");
    await screenshot(page, "events");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("lists a resource again when its watch answers 410 Expired", async () => {
    const sb = await createSandbox();
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    // The first combined watch answers at once with pods' 410; later ones reach the server.
    let expired = 0;
    await page.route(
      (u) => u.pathname.endsWith("/console/watch"),
      (route) => {
        expired++;
        // Watch index 1 is pods (web/src/cache.ts).
        const line = { w: 1, type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", reason: "Expired", code: 410, message: "too old resource version" } };
        return route.fulfill({ status: 200, contentType: "application/json", body: `${JSON.stringify(line)}\n` });
      },
      { times: 1 },
    );
    // As openPage does: the page's own load waits on nothing the test needs.
    await page.goto(sb.url, { waitUntil: "domcontentloaded" });
    await consoleReady(page);
    await page.waitForFunction(() => document.getElementById("connection")?.textContent === "live");
    kubectlOk(sb, ["run", "after-expiry", "--image=nginx:1.27"]);
    await page.waitForSelector('[data-open="pods/default/after-expiry"]', { timeout: 15_000 });
    expect(expired).toBe(1);
    // The browser reports requests apart from the page's DOM, so the second list may be told a moment late.
    await expect.poll(() => listRequests(requests, "/api/v1/pods"), { timeout: 10_000 }).toBe(2);
    expect(listRequests(requests, "/api/v1/nodes")).toBe(1);
    await page.close();
  });
});

describe("panels", () => {
  it("lists workloads of every kind and volumes", async () => {
    const sb = await createSandbox();
    writeFile(sb, "claim.json", JSON.stringify({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }));
    kubectlOk(sb, ["apply", "-f", "claim.json"]);
    kubectlOk(sb, ["create", "job", "once", "--image=busybox:1.36", "--", "echo", "hi"]);
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await page.click('button[data-tab="workloads"]');
    await waitForText(page, "#cluster-panel", "Job");
    const workloads = await textOf(page, "#cluster-panel");
    expect(workloads).toMatch(/DaemonSet\s+kube-system\s+kube-proxy\s+3\/3/);
    expect(workloads).toMatch(/Deployment\s+kube-system\s+coredns\s+2\/2/);
    expect(workloads).toMatch(/ReplicaSet\s+kube-system\s+coredns-/);
    expect(workloads).toMatch(/Job\s+default\s+once/);
    await page.click('button[data-tab="volumes"]');
    await waitForText(page, "#cluster-panel", "data");
    expect(await textOf(page, "#cluster-panel")).toMatch(/default\s+data\s+(Pending|Bound)/);
    // The namespace filter narrows every panel.
    await page.click('button[data-tab="workloads"]');
    await page.selectOption("#namespace", "default");
    await page.waitForFunction(() => !document.getElementById("cluster-panel")?.innerText.includes("kube-proxy"));
    expect(await textOf(page, "#cluster-panel")).toContain("once");
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("object detail", () => {
  it("shows a pod's YAML and a describe-like view", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["run", "web", "--image=nginx:1.27", "--labels=app=web"]);
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await clickOn(page, '[data-open="pods/default/web"]');
    await page.click('#detail button[data-tab="yaml"]');
    await waitForText(page, "#detail-yaml", "kind: Pod");
    const yaml = await textOf(page, "#detail-yaml");
    expect(yaml).toContain("name: web");
    expect(yaml).toContain("image: nginx:1.27");
    expect(yaml).not.toContain("managedFields");
    await page.click('#detail button[data-tab="describe"]');
    // It follows the pod live: the kubelet's events arrive as it starts the container.
    await waitForText(page, "#detail-describe", "Started container web");
    const text = await textOf(page, "#detail-describe");
    expect(text).toMatch(/Status:\s+Running/);
    expect(text).toMatch(/Labels:\s+app=web/);
    expect(text).toContain("Events:");
    expect(text).toContain("Started container web");
    // Keyboard: Escape closes the dialog.
    await page.keyboard.press("Escape");
    await page.waitForFunction(() => !(document.getElementById("detail") as HTMLDialogElement).open);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("a pod's story", () => {
  it("follows a Deployment's pod from the API server to its Service's endpoints, and its deletion", async () => {
    const sb = await createSandbox({ template: "nginx" });
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    const pod = JSON.parse(kubectlOk(sb, ["get", "pods", "-l", "app=nginx", "-o", "json"])).items[0].metadata.name as string;
    await page.waitForSelector(`[data-open="pods/default/${pod}"].ok`, { timeout: 15_000 });
    await clickOn(page, `[data-open="pods/default/${pod}"]`);
    await waitForText(page, "#detail-story", "In Service nginx's endpoints");
    const steps = await page.locator("#detail-story [data-step]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.step));
    // The creation flow, in order.
    const order = ["stored", "created", "scheduled", "kubelet-Pulling", "kubelet-Pulled", "kubelet-Created", "kubelet-Started", "ready", "endpoints"];
    expect(steps.filter((s) => order.includes(s!))).toEqual(order);
    const story = await textOf(page, "#detail-story");
    expect(story).toContain("Created by ReplicaSet nginx-");
    expect(story).toContain("Deployment nginx owns ReplicaSet nginx-");
    expect(story).toMatch(/Scheduled to k8s-node[12]/);
    expect(story).toContain(`Successfully assigned default/${pod} to`);
    await screenshot(page, "pod-story");

    // Deleting it: the story goes on while the pod terminates and after it is gone.
    kubectlOk(sb, ["delete", "pod", pod, "--wait=false"]);
    await waitForText(page, "#detail-story", "Deletion requested");
    await advance(sb.id, 35);
    await waitForText(page, "#detail-story", "Removed from the API");
    const after = await page.locator("#detail-story [data-step]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.step));
    expect(after).toContain("Killing");
    expect(after.indexOf("requested")).toBeLessThan(after.indexOf("removed"));
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says why the other nodes were passed over even when the pod was scheduled on the first try, and times its deletion", async () => {
    const sb = await createSandbox();
    kubectlOk(sb, ["run", "first", "--image=nginx:1.27"]);
    const { page, errors } = await openPage(browser, sb.url);
    await consoleReady(page);
    await clickOn(page, '[data-open="pods/default/first"]');
    await waitForText(page, "#detail-story", "Scheduled to");
    const node = JSON.parse(kubectlOk(sb, ["get", "pod", "first", "-o", "json"])).spec.nodeName as string;
    const other = node === "k8s-node1" ? "k8s-node2" : "k8s-node1";
    await waitForText(page, "#detail-story", "k8s-master: node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }");
    expect(await textOf(page, '#detail-story [data-step="scheduled"]')).toContain(`${other}: fits too; ${node} scored higher`);
    // No FailedScheduling: it was placed at once.
    expect(await page.locator('#detail-story [data-step="FailedScheduling"]').count()).toBe(0);

    await advance(sb.id, 30);
    await page.waitForSelector('#detail-story [data-step="ready"].done', { timeout: 15_000 });
    kubectlOk(sb, ["delete", "pod", "first", "--wait=false"]);
    await waitForText(page, "#detail-story", "Deletion requested");
    await advance(sb.id, 35);
    await waitForText(page, "#detail-story", "Removed from the API");
    // Every deletion step has its time.
    const times = await page.locator('#detail-story [data-step="requested"] .when, #detail-story [data-step="Killing"] .when, #detail-story [data-step="removed"] .when').allInnerTexts();
    expect(times).toHaveLength(3);
    for (const t of times) expect(t).toMatch(/\d{2}:\d{2}:\d{2}/);
    await screenshot(page, "pod-story-deletion");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("says why the scheduler rejected the nodes", async () => {
    const sb = await createSandbox();
    writeFile(sb, "picky.json", JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "picky" }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "c", image: "nginx:1.27" }] } }));
    kubectlOk(sb, ["apply", "-f", "picky.json"]);
    const { page } = await openPage(browser, sb.url);
    await consoleReady(page);
    await clickOn(page, '[data-open="pods/default/picky"]');
    await waitForText(page, "#detail-story", "Not schedulable yet");
    const story = await textOf(page, "#detail-story");
    expect(story).toContain("0/3 nodes are available");
    expect(story).toContain("Waiting for a node");
    // Labelling a node lets the scheduler place it, and the story moves on live.
    kubectlOk(sb, ["label", "node", "k8s-node2", "disk=ssd"]);
    await advance(sb.id, 60);
    await waitForText(page, "#detail-story", "Scheduled to k8s-node2");
    await page.close();
  });
});

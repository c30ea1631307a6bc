// The init-container example of https://kubernetes.io/docs/concepts/workloads/pods/init-containers/
// with the real kubectl and the sandbox's virtual clock: myapp-pod waits in Init:0/2 while its init
// containers look up Services that do not exist yet, its first init container's log shows it
// waiting, and once the two Services are created the pod runs.
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectl, kubectlOk, table, writeFile, type Sandbox } from "./harness";

let sb: Sandbox;

async function advance(seconds: number): Promise<void> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ advanceSeconds: seconds }) });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

const MYAPP = `apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app.kubernetes.io/name: MyApp
spec:
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup myservice.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for myservice; sleep 2; done"]
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', "until nslookup mydb.$(cat /var/run/secrets/kubernetes.io/serviceaccount/namespace).svc.cluster.local; do echo waiting for mydb; sleep 2; done"]
`;

const SERVICES = `---
apiVersion: v1
kind: Service
metadata:
  name: myservice
spec:
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9376
---
apiVersion: v1
kind: Service
metadata:
  name: mydb
spec:
  ports:
  - protocol: TCP
    port: 80
    targetPort: 9377
`;

describe("the docs' init containers with the real kubectl", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/clock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ paused: true }) });
    expect(res.status).toBeLessThan(300);
  });

  it("myapp-pod waits in Init:0/2, logs its waiting, and runs once both Services exist", async () => {
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "myapp.yaml", MYAPP)])).toBe("pod/myapp-pod created\n");
    await advance(30);
    expect(table(kubectlOk(sb, ["get", "pod", "myapp-pod"]))).toBe("NAME READY STATUS RESTARTS AGE\nmyapp-pod 0/1 Init:0/2 0 AGE");
    const log = kubectlOk(sb, ["logs", "myapp-pod", "-c", "init-myservice"]);
    expect(log).toContain("nslookup: can't resolve 'myservice.default.svc.cluster.local'\nwaiting for myservice\n");
    expect(log.split("\n").filter((l) => l === "waiting for myservice").length).toBeGreaterThanOrEqual(10);
    expect(kubectl(sb, ["logs", "myapp-pod", "-c", "init-mydb"]).stderr).toBe('Error from server (BadRequest): container "init-mydb" in pod "myapp-pod" is waiting to start: PodInitializing\n');

    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "services.yaml", SERVICES)])).toBe("service/myservice created\nservice/mydb created\n");
    await advance(10);
    expect(table(kubectlOk(sb, ["get", "-f", "myapp.yaml"]))).toBe("NAME READY STATUS RESTARTS AGE\nmyapp-pod 1/1 Running 0 AGE");
    const done = kubectlOk(sb, ["logs", "myapp-pod", "-c", "init-myservice"]);
    expect(done.startsWith(log)).toBe(true);
    expect(done).toMatch(/\nName: {6}myservice\.default\.svc\.cluster\.local\nAddress 1: 10\.\d+\.\d+\.\d+ myservice\.default\.svc\.cluster\.local\n$/);
    expect(kubectlOk(sb, ["logs", "myapp-pod"])).toBe("The app is running!\n");
  });
});

// Storage with the real kubectl, replaying seed 003 (an NFS server on a node, csi-driver-nfs, a
// default nfs-csi class, a dynamic RWX claim, three nginx replicas serving one file from it through
// the ClusterIP `kubectl expose` gives them, a
// claim deleted while in use, Retain leaving a Released volume) and the sandbox's own default
// class (local-path, WaitForFirstConsumer).
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl, createSandbox, fetchRetry, kubectl, kubectlBackground, kubectlOk, type Sandbox, sandboxPost, table, writeFile } from "./harness";

let sb: Sandbox;

const clock = async (body: unknown): Promise<void> => void (await sandboxPost(sb, "clock", body));

const advance = (seconds: number) => clock({ advanceSeconds: seconds });

async function shell(node: string, command: string): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const res = await fetchRetry(`${baseUrl()}/api/sandboxes/${sb.id}/shell`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ node, command }) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { stdout: string; stderr: string; exitCode: number };
}

// csi-driver-nfs v4.6.0 (deploy/v4.6.0), images switched to mirrors as in the seed.
const DRIVER = `
apiVersion: v1
kind: ServiceAccount
metadata:
  name: csi-nfs-controller-sa
  namespace: kube-system
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: csi-nfs-node-sa
  namespace: kube-system
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: nfs-external-provisioner-role
rules:
  - apiGroups: [""]
    resources: ["persistentvolumes"]
    verbs: ["get", "list", "watch", "create", "delete"]
  - apiGroups: [""]
    resources: ["persistentvolumeclaims"]
    verbs: ["get", "list", "watch", "update"]
  - apiGroups: ["storage.k8s.io"]
    resources: ["storageclasses"]
    verbs: ["get", "list", "watch"]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata:
  name: nfs-csi-provisioner-binding
subjects:
  - kind: ServiceAccount
    name: csi-nfs-controller-sa
    namespace: kube-system
roleRef:
  kind: ClusterRole
  name: nfs-external-provisioner-role
  apiGroup: rbac.authorization.k8s.io
---
kind: Deployment
apiVersion: apps/v1
metadata:
  name: csi-nfs-controller
  namespace: kube-system
spec:
  replicas: 1
  selector:
    matchLabels:
      app: csi-nfs-controller
  template:
    metadata:
      labels:
        app: csi-nfs-controller
    spec:
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      serviceAccountName: csi-nfs-controller-sa
      nodeSelector:
        kubernetes.io/os: linux
      priorityClassName: system-cluster-critical
      tolerations:
        - key: "node-role.kubernetes.io/control-plane"
          operator: "Exists"
          effect: "NoSchedule"
      containers:
        - name: csi-provisioner
          image: registry.aliyuncs.com/google_containers/csi-provisioner:v4.0.0
          args: ["-v=2", "--csi-address=$(ADDRESS)", "--leader-election", "--leader-election-namespace=kube-system", "--extra-create-metadata=true", "--timeout=1200s"]
          env:
            - name: ADDRESS
              value: /csi/csi.sock
          volumeMounts:
            - mountPath: /csi
              name: socket-dir
        - name: csi-snapshotter
          image: registry.aliyuncs.com/google_containers/csi-snapshotter:v6.3.3
          args: ["--v=2", "--csi-address=$(ADDRESS)", "--leader-election-namespace=kube-system", "--leader-election", "--timeout=1200s"]
          env:
            - name: ADDRESS
              value: /csi/csi.sock
          volumeMounts:
            - name: socket-dir
              mountPath: /csi
        - name: liveness-probe
          image: registry.aliyuncs.com/google_containers/livenessprobe:v2.12.0
          args: ["--csi-address=/csi/csi.sock", "--probe-timeout=3s", "--http-endpoint=localhost:29652", "--v=2"]
          volumeMounts:
            - name: socket-dir
              mountPath: /csi
        - name: nfs
          image: swr.cn-north-4.myhuaweicloud.com/ddn-k8s/registry.k8s.io/sig-storage/nfsplugin:v4.6.0
          securityContext:
            privileged: true
            capabilities:
              add: ["SYS_ADMIN"]
            allowPrivilegeEscalation: true
          args: ["-v=5", "--nodeid=$(NODE_ID)", "--endpoint=$(CSI_ENDPOINT)"]
          env:
            - name: NODE_ID
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
            - name: CSI_ENDPOINT
              value: unix:///csi/csi.sock
          livenessProbe:
            failureThreshold: 5
            httpGet:
              host: localhost
              path: /healthz
              port: 29652
            initialDelaySeconds: 30
            timeoutSeconds: 10
            periodSeconds: 30
          volumeMounts:
            - name: pods-mount-dir
              mountPath: /var/lib/kubelet/pods
              mountPropagation: "Bidirectional"
            - mountPath: /csi
              name: socket-dir
      volumes:
        - name: pods-mount-dir
          hostPath:
            path: /var/lib/kubelet/pods
            type: Directory
        - name: socket-dir
          emptyDir: {}
---
kind: DaemonSet
apiVersion: apps/v1
metadata:
  name: csi-nfs-node
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: csi-nfs-node
  template:
    metadata:
      labels:
        app: csi-nfs-node
    spec:
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      serviceAccountName: csi-nfs-node-sa
      priorityClassName: system-node-critical
      tolerations:
        - operator: "Exists"
      containers:
        - name: liveness-probe
          image: registry.aliyuncs.com/google_containers/livenessprobe:v2.12.0
          args: ["--csi-address=/csi/csi.sock", "--probe-timeout=3s", "--health-port=29653", "--v=2"]
          volumeMounts:
            - name: socket-dir
              mountPath: /csi
        - name: node-driver-registrar
          image: registry.aliyuncs.com/google_containers/csi-node-driver-registrar:v2.10.0
          args: ["--v=2", "--csi-address=/csi/csi.sock", "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)"]
          livenessProbe:
            exec:
              command: ["/csi-node-driver-registrar", "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)", "--mode=kubelet-registration-probe"]
            initialDelaySeconds: 30
            timeoutSeconds: 15
          env:
            - name: DRIVER_REG_SOCK_PATH
              value: /var/lib/kubelet/plugins/csi-nfsplugin/csi.sock
          volumeMounts:
            - name: socket-dir
              mountPath: /csi
        - name: nfs
          securityContext:
            privileged: true
          image: swr.cn-north-4.myhuaweicloud.com/ddn-k8s/registry.k8s.io/sig-storage/nfsplugin:v4.6.0
          args: ["-v=5", "--nodeid=$(NODE_ID)", "--endpoint=$(CSI_ENDPOINT)"]
          env:
            - name: NODE_ID
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
            - name: CSI_ENDPOINT
              value: unix:///csi/csi.sock
          ports:
            - containerPort: 29653
              name: healthz
              protocol: TCP
          livenessProbe:
            failureThreshold: 5
            httpGet:
              path: /healthz
              port: healthz
            initialDelaySeconds: 30
            timeoutSeconds: 10
            periodSeconds: 30
          volumeMounts:
            - name: socket-dir
              mountPath: /csi
      volumes:
        - name: socket-dir
          hostPath:
            path: /var/lib/kubelet/plugins/csi-nfsplugin
            type: DirectoryOrCreate
`;

const storageClassYaml = (reclaimPolicy: string) => `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs-csi
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: nfs.csi.k8s.io
parameters:
  server: k8s-node1
  share: /nfs-share
reclaimPolicy: ${reclaimPolicy}
volumeBindingMode: Immediate
mountOptions:
  - nfsvers=4.1
`;

const CLAIM = `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: pvc-nfs-dynamic
spec:
  accessModes:
    - ReadWriteMany
  resources:
    requests:
      storage: 1Gi
  storageClassName: nfs-csi
`;

const NGINX = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: test-nginx
spec:
  selector:
    matchLabels:
      app: frontend
  replicas: 3
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: test-nginx
        image: nginx:1.25
        imagePullPolicy: IfNotPresent
        ports:
        - containerPort: 80
        volumeMounts:
        - name: nfs
          mountPath: /usr/share/nginx/html
          readOnly: false
      volumes:
      - name: nfs
        persistentVolumeClaim:
          claimName: pvc-nfs-dynamic
`;

describe("seed 003: NFS storage with the real kubectl", () => {
  let pvName = "";

  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
  });

  it("a new sandbox has the default StorageClass standard", () => {
    expect(table(kubectlOk(sb, ["get", "storageclasses"]))).toBe(
      ["NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE", "standard (default) rancher.io/local-path Delete WaitForFirstConsumer false AGE"].join("\n"),
    );
  });

  it("node1 becomes the NFS server", async () => {
    expect(await shell("k8s-node1", "mkdir /nfs-share && echo '/nfs-share      192.168.1.0/24(rw,sync,no_root_squash)' > /etc/exports && systemctl start nfs-server")).toMatchObject({ exitCode: 0 });
    expect((await shell("k8s-node1", "cat /etc/exports")).stdout).toBe("/nfs-share      192.168.1.0/24(rw,sync,no_root_squash)\n");
    expect((await shell("k8s-node1", "showmount -e localhost")).stdout).toBe("Export list for localhost:\n/nfs-share 192.168.1.0/24\n");
    expect((await shell("k8s-master", "showmount -e k8s-node1")).stdout).toBe("Export list for k8s-node1:\n/nfs-share 192.168.1.0/24\n");
  });

  it("installs csi-driver-nfs; the controller runs 4/4", async () => {
    writeFile(sb, "driver.yaml", DRIVER);
    expect(kubectlOk(sb, ["apply", "-f", "driver.yaml"])).toBe(
      [
        "serviceaccount/csi-nfs-controller-sa created",
        "serviceaccount/csi-nfs-node-sa created",
        "clusterrole.rbac.authorization.k8s.io/nfs-external-provisioner-role created",
        "clusterrolebinding.rbac.authorization.k8s.io/nfs-csi-provisioner-binding created",
        "deployment.apps/csi-nfs-controller created",
        "daemonset.apps/csi-nfs-node created",
        "",
      ].join("\n"),
    );
    await advance(30);
    expect(table(kubectlOk(sb, ["-n", "kube-system", "get", "pod", "-l", "app=csi-nfs-controller", "--no-headers"]))).toMatch(/^csi-nfs-controller-[a-z0-9]+-[a-z0-9]{5} 4\/4 Running 0 AGE$/);
    expect(table(kubectlOk(sb, ["-n", "kube-system", "get", "pod", "-l", "app=csi-nfs-node", "--no-headers"])).split("\n").map((l) => l.replace(/^csi-nfs-node-[a-z0-9]{5} /, ""))).toEqual([
      "3/3 Running 0 AGE",
      "3/3 Running 0 AGE",
      "3/3 Running 0 AGE",
    ]);
  });

  it("registers the driver: a CSIDriver, as csi-nfs-driverinfo.yaml declares it", () => {
    writeFile(sb, "csi-nfs-driverinfo.yaml", "apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata:\n  name: nfs.csi.k8s.io\nspec:\n  attachRequired: false\n  volumeLifecycleModes:\n    - Persistent\n  fsGroupPolicy: File\n");
    expect(kubectlOk(sb, ["apply", "-f", "csi-nfs-driverinfo.yaml"])).toBe("csidriver.storage.k8s.io/nfs.csi.k8s.io created\n");
    expect(table(kubectlOk(sb, ["get", "csidrivers"]))).toBe(
      ["NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE", "nfs.csi.k8s.io false false false <unset> false Persistent AGE"].join("\n"),
    );
  });

  it("creates the nfs-csi class as a second default", () => {
    writeFile(sb, "storageclass.yaml", storageClassYaml("Delete"));
    expect(kubectlOk(sb, ["apply", "-f", "storageclass.yaml"])).toBe("storageclass.storage.k8s.io/nfs-csi created\n");
    expect(table(kubectlOk(sb, ["get", "storageclasses"]))).toBe(
      [
        "NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE",
        "nfs-csi (default) nfs.csi.k8s.io Delete Immediate false AGE",
        "standard (default) rancher.io/local-path Delete WaitForFirstConsumer false AGE",
      ].join("\n"),
    );
  });

  it("a ReadWriteMany claim is bound to a provisioned volume within seconds", async () => {
    writeFile(sb, "nfs-csi-test.yml", CLAIM);
    expect(kubectlOk(sb, ["apply", "-f", "nfs-csi-test.yml"])).toBe("persistentvolumeclaim/pvc-nfs-dynamic created\n");
    await advance(3);
    const uid = kubectlOk(sb, ["get", "pvc", "pvc-nfs-dynamic", "-o", "jsonpath={.metadata.uid}"]);
    pvName = `pvc-${uid}`;
    expect(table(kubectlOk(sb, ["get", "pvc"]))).toBe(
      ["NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE", `pvc-nfs-dynamic Bound ${pvName} 1Gi RWX nfs-csi <unset> AGE`].join("\n"),
    );
    expect(table(kubectlOk(sb, ["get", "pv"]))).toBe(
      [
        "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE",
        `${pvName} 1Gi RWX Delete Bound default/pvc-nfs-dynamic nfs-csi <unset> AGE`,
      ].join("\n"),
    );
    const describe = kubectlOk(sb, ["describe", "pvc", "pvc-nfs-dynamic"]);
    expect(describe).toMatch(/^StorageClass:\s+nfs-csi$/m);
    expect(describe).toMatch(/^Finalizers:\s+\[kubernetes\.io\/pvc-protection\]$/m);
    expect(describe).toMatch(/^Used By:\s+<none>$/m);
    expect(describe).toMatch(/Normal\s+ExternalProvisioning\s+\S+\s+persistentvolume-controller\s+Waiting for a volume to be created either by the external provisioner 'nfs\.csi\.k8s\.io' or manually by the system administrator\./);
    expect(describe).toMatch(/Normal\s+Provisioning\s+\S+\s+nfs\.csi\.k8s\.io_k8s-[a-z0-9]+_[0-9a-f-]{36}\s+External provisioner is provisioning volume for claim "default\/pvc-nfs-dynamic"/);
    expect(describe).toMatch(new RegExp(`Normal\\s+ProvisioningSucceeded\\s+\\S+\\s+nfs\\.csi\\.k8s\\.io_k8s-[a-z0-9]+_[0-9a-f-]{36}\\s+Successfully provisioned volume ${pvName}`));
  });

  it("the volume is a directory on the NFS server; three replicas serve the file written there", async () => {
    expect((await shell("k8s-node1", "ls /nfs-share/")).stdout).toBe(`${pvName}\n`);
    expect((await shell("k8s-node1", `ls /nfs-share/${pvName}/`)).stdout).toBe("");
    await shell("k8s-node1", `echo "content save on nfsserver" >> /nfs-share/${pvName}/index.html`);
    writeFile(sb, "test-nginx.yml", NGINX);
    expect(kubectlOk(sb, ["apply", "-f", "test-nginx.yml"])).toBe("deployment.apps/test-nginx created\n");
    await advance(10);
    expect(table(kubectlOk(sb, ["get", "deployments.apps"]))).toBe(["NAME READY UP-TO-DATE AVAILABLE AGE", "test-nginx 3/3 3 3 AGE"].join("\n"));
    const pods = kubectlOk(sb, ["get", "pods", "-l", "app=frontend", "-o", "jsonpath={.items[*].metadata.name}"]).split(" ");
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(kubectlOk(sb, ["exec", pod, "--", "cat", "/usr/share/nginx/html/index.html"])).toBe("content save on nfsserver\n");
    }
    // Written from a pod, read on the server.
    kubectlOk(sb, ["exec", pods[0], "--", "sh", "-c", "echo from-pod > /usr/share/nginx/html/pod.txt"]);
    expect((await shell("k8s-node1", `cat /nfs-share/${pvName}/pod.txt`)).stdout).toBe("from-pod\n");
    expect(kubectlOk(sb, ["describe", "pvc", "pvc-nfs-dynamic"])).toMatch(/^Used By:\s+test-nginx-/m);
  });

  it("kubectl expose deployment test-nginx: the ClusterIP serves the shared file from the control node, every time", async () => {
    expect(kubectlOk(sb, ["expose", "deployment", "test-nginx"])).toBe("service/test-nginx exposed\n");
    const ip = kubectlOk(sb, ["get", "svc", "test-nginx", "-o", "jsonpath={.spec.clusterIP}"]);
    expect(table(kubectlOk(sb, ["get", "svc", "test-nginx", "--no-headers"]))).toBe(`test-nginx ClusterIP ${ip} <none> 80/TCP AGE`);
    for (let i = 0; i < 3; i++) expect(await shell("k8s-master", `curl ${ip}`)).toEqual({ stdout: "content save on nfsserver\n", stderr: "", exitCode: 0 });
  });

  it("deleting the claim in use hangs until the pods using it are gone", async () => {
    const del = kubectlBackground(sb, ["delete", "-f", "nfs-csi-test.yml"]);
    await del.waitFor((out) => out.includes('persistentvolumeclaim "pvc-nfs-dynamic" deleted'), 10_000);
    await advance(30);
    expect(table(kubectlOk(sb, ["get", "pvc", "--no-headers"]))).toBe(`pvc-nfs-dynamic Terminating ${pvName} 1Gi RWX nfs-csi <unset> AGE`);
    expect(await Promise.race([del.exited, new Promise((r) => setTimeout(() => r("still waiting"), 1000))])).toBe("still waiting");
    expect(kubectlOk(sb, ["delete", "svc", "test-nginx"])).toBe('service "test-nginx" deleted\n');
    expect(kubectlOk(sb, ["delete", "deployments.apps", "test-nginx"])).toBe('deployment.apps "test-nginx" deleted\n');
    await advance(35);
    expect(await del.exited).toBe(0);
    expect(kubectl(sb, ["get", "pvc"]).stderr).toBe("No resources found in default namespace.\n");
    // Delete: the volume and its directory are gone.
    expect(kubectl(sb, ["get", "pv"]).stderr).toBe("No resources found\n");
    expect((await shell("k8s-node1", "ls /nfs-share/")).stdout).toBe("");
  });

  it("with reclaimPolicy Retain, deleting the claim leaves the volume Released", async () => {
    writeFile(sb, "storageclass.yaml", storageClassYaml("Retain"));
    expect(kubectlOk(sb, ["delete", "-f", "storageclass.yaml"])).toBe('storageclass.storage.k8s.io "nfs-csi" deleted\n');
    expect(kubectlOk(sb, ["apply", "-f", "storageclass.yaml"])).toBe("storageclass.storage.k8s.io/nfs-csi created\n");
    expect(kubectlOk(sb, ["apply", "-f", "nfs-csi-test.yml"])).toBe("persistentvolumeclaim/pvc-nfs-dynamic created\n");
    await advance(3);
    const name = `pvc-${kubectlOk(sb, ["get", "pvc", "pvc-nfs-dynamic", "-o", "jsonpath={.metadata.uid}"])}`;
    expect(table(kubectlOk(sb, ["get", "pv", "--no-headers"]))).toBe(`${name} 1Gi RWX Retain Bound default/pvc-nfs-dynamic nfs-csi <unset> AGE`);
    expect(kubectlOk(sb, ["delete", "pvc", "pvc-nfs-dynamic"])).toBe('persistentvolumeclaim "pvc-nfs-dynamic" deleted\n');
    expect(table(kubectlOk(sb, ["get", "pv"]))).toBe(
      [
        "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE",
        `${name} 1Gi RWX Retain Released default/pvc-nfs-dynamic nfs-csi <unset> AGE`,
      ].join("\n"),
    );
    expect((await shell("k8s-node1", "ls /nfs-share/")).stdout).toBe(`${name}\n`);
  });
});

describe("the default class with the real kubectl", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
  });

  it("a claim without class waits for its first consumer, then is provisioned on the pod's node", async () => {
    writeFile(sb, "claim.yaml", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 2Gi\n");
    kubectlOk(sb, ["apply", "-f", "claim.yaml"]);
    expect(table(kubectlOk(sb, ["get", "pvc", "data", "--no-headers"]))).toBe("data Pending standard <unset> AGE");
    expect(kubectlOk(sb, ["describe", "pvc", "data"])).toMatch(/Normal\s+WaitForFirstConsumer\s+\S+\s+persistentvolume-controller\s+waiting for first consumer to be created before binding/);
    kubectlOk(sb, ["run", "db", "--image=nginx:1.25", "--overrides", JSON.stringify({ spec: { volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }], containers: [{ name: "db", image: "nginx:1.25", volumeMounts: [{ name: "d", mountPath: "/data" }] }] } })]);
    await advance(1);
    expect(table(kubectlOk(sb, ["get", "pod", "db", "--no-headers"]))).toBe("db 0/1 Pending 0 AGE");
    await advance(8);
    const row = table(kubectlOk(sb, ["get", "pvc", "data", "--no-headers"]));
    expect(row).toMatch(/^data Bound pvc-[0-9a-f-]{36} 2Gi RWO standard <unset> AGE$/);
    const node = kubectlOk(sb, ["get", "pod", "db", "-o", "jsonpath={.spec.nodeName}"]);
    expect(kubectlOk(sb, ["get", "pv", "-o", "jsonpath={.items[0].spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"])).toBe(node);
    expect(table(kubectlOk(sb, ["get", "pod", "db", "--no-headers"]))).toBe("db 1/1 Running 0 AGE");
  });

  it("refuses shrinking a claim and growing one whose class does not allow it", () => {
    const shrink = kubectl(sb, ["patch", "pvc", "data", "-p", '{"spec":{"resources":{"requests":{"storage":"1Gi"}}}}']);
    expect(shrink.stderr).toBe('The PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: field can not be less than status.capacity\n');
    const grow = kubectl(sb, ["patch", "pvc", "data", "-p", '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}']);
    expect(grow.stderr).toBe(
      'Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize\n',
    );
  });

  it("grows a claim once the class allows expansion", async () => {
    expect(kubectlOk(sb, ["patch", "storageclass", "standard", "-p", '{"allowVolumeExpansion": true}'])).toBe("storageclass.storage.k8s.io/standard patched\n");
    expect(kubectlOk(sb, ["patch", "pvc", "data", "-p", '{"spec":{"resources":{"requests":{"storage":"3Gi"}}}}'])).toBe("persistentvolumeclaim/data patched\n");
    await advance(2);
    expect(table(kubectlOk(sb, ["get", "pvc", "data", "--no-headers"]))).toMatch(/^data Bound pvc-\S+ 3Gi RWO standard <unset> AGE$/);
    expect(table(kubectlOk(sb, ["get", "pv", "--no-headers"]))).toMatch(/^pvc-\S+ 3Gi RWO Delete Bound default\/data standard <unset> AGE$/);
    const describe = kubectlOk(sb, ["describe", "pvc", "data"]);
    expect(describe).toMatch(/Normal\s+ExternalExpanding\s+\S+\s+volume_expand\s+waiting for an external controller to expand this PVC/);
    expect(describe).toMatch(/Normal\s+FileSystemResizeSuccessful\s+\S+\s+kubelet\s+MountVolume\.NodeExpandVolume succeeded for volume "pvc-\S+" k8s-node\d/);
  });
});

// kubernetes.io "Configure a Pod to Use a PersistentVolume for Storage": a file written on the
// node, a static hostPath volume of class manual, a claim, and nginx serving the file.
const TASK_PV = `apiVersion: v1
kind: PersistentVolume
metadata:
  name: task-pv-volume
  labels:
    type: local
spec:
  storageClassName: manual
  capacity:
    storage: 10Gi
  accessModes:
    - ReadWriteOnce
  hostPath:
    path: "/mnt/data"
`;

const TASK_CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: task-pv-claim
spec:
  storageClassName: manual
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
      storage: 3Gi
`;

// The task's pod, kept on the node the file was written on (its cluster has one node).
const TASK_POD = `apiVersion: v1
kind: Pod
metadata:
  name: task-pv-pod
spec:
  nodeSelector:
    kubernetes.io/hostname: k8s-node1
  volumes:
    - name: task-pv-storage
      persistentVolumeClaim:
        claimName: task-pv-claim
  containers:
    - name: task-pv-container
      image: nginx
      ports:
        - containerPort: 80
          name: "http-server"
      volumeMounts:
        - mountPath: "/usr/share/nginx/html"
          name: task-pv-storage
`;

describe("a static hostPath PersistentVolume with the real kubectl (kubernetes.io's task)", () => {
  beforeAll(async () => {
    sb = await createSandbox();
    await clock({ paused: true });
  });

  it("serves the file written on the node, and what the pod writes lands in the node's directory", async () => {
    expect(await shell("k8s-node1", "sudo mkdir /mnt/data && sudo sh -c \"echo 'Hello from Kubernetes storage' > /mnt/data/index.html\" && cat /mnt/data/index.html")).toEqual({
      stdout: "Hello from Kubernetes storage\n",
      stderr: "",
      exitCode: 0,
    });
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "pv-volume.yaml", TASK_PV)])).toBe("persistentvolume/task-pv-volume created\n");
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "pv-claim.yaml", TASK_CLAIM)])).toBe("persistentvolumeclaim/task-pv-claim created\n");
    await advance(1);
    expect(table(kubectlOk(sb, ["get", "pv", "task-pv-volume", "--no-headers"]))).toBe("task-pv-volume 10Gi RWO Retain Bound default/task-pv-claim manual <unset> AGE");
    expect(kubectlOk(sb, ["apply", "-f", writeFile(sb, "pv-pod.yaml", TASK_POD)])).toBe("pod/task-pv-pod created\n");
    await advance(20);
    expect(table(kubectlOk(sb, ["get", "pod", "task-pv-pod", "--no-headers"]))).toBe("task-pv-pod 1/1 Running 0 AGE");
    expect(kubectlOk(sb, ["exec", "task-pv-pod", "--", "curl", "-s", "http://localhost/"])).toBe("Hello from Kubernetes storage\n");
    const ip = kubectlOk(sb, ["get", "pod", "task-pv-pod", "-o", "jsonpath={.status.podIP}"]);
    expect((await shell("k8s-node2", `curl -s ${ip}`)).stdout).toBe("Hello from Kubernetes storage\n");
    kubectlOk(sb, ["exec", "task-pv-pod", "--", "sh", "-c", "echo from-pod > /usr/share/nginx/html/pod.txt"]);
    expect((await shell("k8s-node1", "cat /mnt/data/pod.txt")).stdout).toBe("from-pod\n");
    // The directory is that node's: another node's /mnt/data is another directory.
    expect((await shell("k8s-node2", "ls /mnt/data")).exitCode).not.toBe(0);
  });
});

// The seed tutorials' flows as scripts/bench-tutorials.mjs replays them: the manifests as the
// tutorials show them, and per tutorial the steps a reader types, in order.
// ---------------------------------------------------------------------------------------------
// Manifests, as the tutorials show them (comments dropped).

const M000 = {
  "my_nginx.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: my-nginx
spec:
  selector:
    matchLabels:
      run: my-nginx
  replicas: 3
  template:
    metadata:
      labels:
        run: my-nginx
    spec:
      containers:
      - name: my-nginx
        image: nginx
        ports:
        - containerPort: 80
`,
  "my_service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: my-nginx
  labels:
    run: my-nginx
spec:
  type: NodePort
  ports:
  - port: 8080
    targetPort: 80
    protocol: TCP
    name: http
  selector:
    run: my-nginx
`,
  "nginx-pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: sc-nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports:
    - containerPort: 80
`,
};

const KOTEN_NGINX = "harbor.koten.com/koten-web/nginx:1.25.1-alpine";
// Not shown in the tutorial: a ConfigMap nginx.conf and ReplicationController koten-rc (apps=web)
// whose nginx/1.25.1 answers 403 — an empty document root, as an emptyDir over it gives.
const rcNginx = (replicas) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: nginx.conf
data:
  default.conf: |
    server {
        listen 80;
        root /usr/share/nginx/html;
    }
---
apiVersion: v1
kind: ReplicationController
metadata:
  name: koten-rc
spec:
  replicas: ${replicas}
  selector:
    apps: web
  template:
    metadata:
      labels:
        apps: web
    spec:
      volumes:
      - name: html
        emptyDir: {}
      containers:
      - name: web
        image: ${KOTEN_NGINX}
        volumeMounts:
        - name: html
          mountPath: /usr/share/nginx/html
`;
const svcNodePort = (extra) => `apiVersion: v1
kind: Service
metadata:
  name: myweb-nodeport
spec:
  type: NodePort
  selector:
    apps: web
  ports:
  - port: 8888
    targetPort: 80
${extra}`;
const probe = (p, fields) => `      httpGet:
        port: 80
        path: ${p}
${Object.entries(fields).map(([k, v]) => `      ${k}: ${v}`).join("\n")}
      successThreshold: 1
      timeoutSeconds: 1`;
const probeSvc = (name) => `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: ClusterIP
  selector:
    hobby: linux
  ports:
  - port: 8888
    targetPort: 80
`;
const rcApps = (tag) => `apiVersion: v1
kind: ReplicationController
metadata:
  name: koten-rc-apps-v1
spec:
  replicas: 3
  template:
    metadata:
      labels:
        apps: v1
    spec:
      containers:
      - name: v1
        image: harbor.koten.com/koten-web/nginx:${tag}-alpine
`;

const M001 = {
  "02-rc-nginx.yaml": rcNginx(7),
  "03-rc-nginx.yaml": rcNginx(3),
  "04-svc-NodeIP.yaml": svcNodePort(""),
  "05-svc-NodeIP.yaml": svcNodePort("    nodePort: 30080\n"),
  "01-ns-custom.yaml": `apiVersion: v1
kind: Namespace
metadata:
  name: koten-linux-custom
  labels:
    author: koten
    hobby: linux
`,
  "31-pods-volumes-configMap-games-ns.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: koten-games-cm-ns-002
  namespace: linux
spec:
  nodeName: worker233
  volumes:
  - name: data01
    configMap:
      name: nginx.conf
  containers:
  - name: games
    image: harbor.koten.com/koten-games/games:v0.5
    volumeMounts:
    - name: data01
      mountPath: /etc/nginx/conf.d/
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: nginx.conf
  namespace: linux
data:
  nginx.conf: |
    user  nginx;
    worker_processes  auto;
    error_log  /var/log/nginx/error.log notice;
    pid        /var/run/nginx.pid;
    events {
        worker_connections  1024;
    }
    http {
        include       /etc/nginx/mime.types;
        default_type  application/octet-stream;
        log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                          '$status $body_bytes_sent "$http_referer" '
                          '"$http_user_agent" "$http_x_forwarded_for"';
        access_log  /var/log/nginx/access.log  main;
        sendfile        on;
        keepalive_timeout  65;
        include /etc/nginx/conf.d/*.conf;
    }
`,
  "32-pods-livenessProbe-readinessProbe-httGet.yaml": `kind: Pod
apiVersion: v1
metadata:
  name: probe-liveness-readiness-httpget
  labels:
     author: koten
     hobby: linux
spec:
  containers:
  - name: web
    image: ${KOTEN_NGINX}
    livenessProbe:
${probe("/index.html", { failureThreshold: 3, initialDelaySeconds: 0, periodSeconds: 10 })}
    readinessProbe:
${probe("/koten.html", { failureThreshold: 3, initialDelaySeconds: 20, periodSeconds: 1 })}
${probeSvc("probe-readiness-liveness-httpget")}`,
  "33-pods-startupProbe-livenessProbe-readinessProbe-httGet.yaml": `kind: Pod
apiVersion: v1
metadata:
  name: probe-startup-liveness-readiness-httpget
  labels:
     author: koten
     hobby: linux
spec:
  containers:
  - name: web
    image: ${KOTEN_NGINX}
    livenessProbe:
${probe("/linux.html", { failureThreshold: 3, initialDelaySeconds: 10, periodSeconds: 10 })}
    readinessProbe:
${probe("/koten.html", { failureThreshold: 3, initialDelaySeconds: 20, periodSeconds: 1 })}
    startupProbe:
${probe("/start.html", { failureThreshold: 3, initialDelaySeconds: 40, periodSeconds: 1 })}
${probeSvc("probe-startup-readiness-liveness-httpget")}`,
  // As printed: `nodePort` twice, the second (8080) after the range was widened to 3000-50000.
  "svc-05-svc-NodeIP.yaml": svcNodePort("    nodePort: 30080\n    nodePort: 8080\n"),
  "04-rc-apps.yaml": rcApps("1.24.0"),
  "06-rc-apps-svc.yaml": `apiVersion: v1
kind: Service
metadata:
  name: koten-apps
spec:
  type: NodePort
  selector:
    apps: v1
  ports:
  - port: 80
    targetPort: 80
    nodePort: 30080
`,
};

const M002 = {
  // "kubectl create -f pod.yaml" names a pod.yaml it never shows; `kubectl describe pod web` names the pod.
  "pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: web
    image: nginx
`,
  "my-service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: my-service
spec:
  selector:
    app: MyApp
  ports:
    - protocol: TCP
      port: 80
      targetPort: 9376
`,
  "nginx-service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: nginx-service
spec:
  selector:
    app: nginx
  ports:
  - protocol: TCP
    port: 80
    targetPort: 80
`,
};

// csi-driver-nfs v4.6.0's deploy/v4.6.0 files that install-driver.sh applies, images switched to the
// mirrors the tutorial's sed and edits chose.
const CSI_PROVISIONER_ARGS = '["-v=2", "--csi-address=$(ADDRESS)", "--leader-election", "--leader-election-namespace=kube-system", "--extra-create-metadata=true", "--timeout=1200s"]';
const NFSPLUGIN = "swr.cn-north-4.myhuaweicloud.com/ddn-k8s/registry.k8s.io/sig-storage/nfsplugin:v4.6.0";
const nfsContainer = `        - name: nfs
          image: ${NFSPLUGIN}
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
          volumeMounts:
            - mountPath: /csi
              name: socket-dir`;
const M003 = {
  "deploy/v4.6.0/rbac-csi-nfs.yaml": `apiVersion: v1
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
`,
  "deploy/v4.6.0/csi-nfs-driverinfo.yaml": `apiVersion: storage.k8s.io/v1
kind: CSIDriver
metadata:
  name: nfs.csi.k8s.io
spec:
  attachRequired: false
  volumeLifecycleModes:
    - Persistent
  fsGroupPolicy: File
`,
  "deploy/v4.6.0/csi-nfs-controller.yaml": `kind: Deployment
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
          args: ${CSI_PROVISIONER_ARGS}
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
${nfsContainer}
      volumes:
        - name: socket-dir
          emptyDir: {}
`,
  "deploy/v4.6.0/csi-nfs-node.yaml": `kind: DaemonSet
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
          env:
            - name: DRIVER_REG_SOCK_PATH
              value: /var/lib/kubelet/plugins/csi-nfsplugin/csi.sock
          volumeMounts:
            - name: socket-dir
              mountPath: /csi
${nfsContainer}
      volumes:
        - name: socket-dir
          hostPath:
            path: /var/lib/kubelet/plugins/csi-nfsplugin
            type: DirectoryOrCreate
`,
  "nfs-csi-test.yml": `---
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
`,
  // The tutorial's image is mynginx:new_files, built on the reader's machine; nginx stands in.
  "test-nginx.yml": `apiVersion: apps/v1
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
        image: nginx
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
`,
};
const storageClass = (reclaimPolicy) => `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: nfs-csi
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: nfs.csi.k8s.io
parameters:
  server: node1
  share: /nfs-share
reclaimPolicy: ${reclaimPolicy}
volumeBindingMode: Immediate
mountOptions:
  - nfsvers=4.1
`;

// ---------------------------------------------------------------------------------------------
// The flows. A step is a command line typed on the reader's machine (a string, or { run } with
// options), a node shell line ({ node, sh }), a file ({ write, text }), a wait ({ wait: seconds } on
// the virtual clock), or the end of a command started in the background ({ join }). `expect` is what
// the tutorial shows (substring or RegExp of stdout+stderr); `capture` reads values for later
// steps, written ${name}; `fails: "why"` marks a failure the tutorial itself runs into (counted as
// such only if the output also matches `expect`); `note` says why a step the tutorial does not show
// is there.

const node = (n, sh, opts = {}) => ({ node: n, sh, ...opts });
const write = (files) => Object.entries(files).map(([name, text]) => ({ write: name, text }));

export const TUTORIALS = [
  {
    id: "000",
    title: "k8s创建pod - 启动pod的流程",
    nodes: ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3"],
    skipped: [],
    steps: [
      { run: "kubectl create deployment k8s-nginx --image=nginx -r 3", expect: "deployment.apps/k8s-nginx created" },
      { wait: 114 },
      { run: "kubectl get pod", expect: /k8s-nginx-\w+-\w+ +1\/1 +Running/ },
      { run: "kubectl get deploy", expect: /k8s-nginx +3\/3 +3 +3/ },
      { run: "kubectl get pod -o wide", capture: { podIP: /Running\s+\d+\s+\S+\s+(10\.244\.\d+\.\d+)/ } },
      node("k8s-master", "curl ${podIP}", { expect: "<h1>Welcome to nginx!</h1>" }),
      "kubectl get deploy",
      "kubectl get pod",
      { run: "kubectl delete deployment  k8s-nginx", expect: 'deployment.apps "k8s-nginx" deleted' },
      { run: "kubectl get deploy", expect: "No resources found in default namespace." },
      { wait: 2 },
      { run: "kubectl get pod", expect: "No resources found in default namespace." },
      ...write(M000),
      { run: "kubectl apply -f my_nginx.yaml", expect: "deployment.apps/my-nginx created" },
      { wait: 12 },
      { run: "kubectl get deploy", expect: /my-nginx +3\/3 +3 +3/ },
      { run: "kubectl get pod -o wide", expect: /my-nginx-\w+-\w+ +1\/1 +Running/ },
      { run: "kubectl apply -f my_service.yaml", expect: "service/my-nginx created" },
      { run: "kubectl get service", expect: /my-nginx +NodePort +[\d.]+ +<none> +8080:\d+\/TCP/, capture: { nodePort: /8080:(\d+)\/TCP/ } },
      // 2.2: "any node, the master included" answers on the NodePort.
      node("k8s-master", "curl ${nodeIP0}:${nodePort}", { expect: "<h1>Welcome to nginx!</h1>" }),
      node("k8s-master", "curl ${nodeIP3}:${nodePort}", { expect: "<h1>Welcome to nginx!</h1>" }),
      { run: "kubectl apply -f nginx-pod.yaml", expect: "pod/sc-nginx created" },
      { wait: 80 },
      { run: "kubectl get pod -o wide", expect: /sc-nginx +1\/1 +Running/ },
      { run: "kubectl delete pod sc-nginx", expect: 'pod "sc-nginx" deleted' },
      { run: "kubectl get pod", expect: /^(?![\s\S]*sc-nginx)/ },
      { run: "kubectl get  pod -n kube-system", expect: /kube-scheduler-k8s-master +1\/1 +Running/ },
      { run: "kubectl describe node k8s-master", expect: /Taints: +node-role\.kubernetes\.io\/control-plane:NoSchedule/ },
      { run: "kubectl create deployment k8s-nginx --image=nginx -r 3", expect: "deployment.apps/k8s-nginx created" },
      { wait: 21 },
      { run: "kubectl get pod -o wide", expect: /k8s-nginx-\w+-\w+ +1\/1 +Running/ },
      { run: "kubectl get deploy", expect: /k8s-nginx +3\/3 +3 +3/ },
      { run: "kubectl get replicaset", expect: /k8s-nginx-\w+ +3 +3 +3/, capture: { rs: /^(k8s-nginx-\w+) / } },
      { run: "kubectl delete replicaset ${rs}", expect: 'replicaset.apps "${rs}" deleted' },
      { wait: 7 },
      { run: "kubectl get pod", expect: /k8s-nginx-\w+-\w+ +1\/1 +Running +0 +\d+s/ },
      { run: "kubectl get rs", expect: /k8s-nginx-\w+ +3 +3 +3 +\d+s/ },
    ],
  },
  {
    id: "001",
    title: "NodePort, namespaces, ipvs, probes, static pods, rc upgrade",
    nodes: ["master231", "worker232", "worker233"],
    skipped: [
      "yum -y install conntrack-tools ipvsadm.x86_64 — packages (ipvsadm is on the nodes already)",
      "cat > /etc/sysconfig/modules/ipvs.modules; modprobe; lsmod — kernel modules",
      "34/35-pods-lifecycle-postStart-preStop.yaml — shown with cat, never applied",
    ],
    steps: [
      ...write(M001),
      { run: "kubectl apply -f 02-rc-nginx.yaml", expect: "replicationcontroller/koten-rc created" },
      { wait: 136 },
      { run: "kubectl get pods -o wide --show-labels", expect: /koten-rc-\w+ +1\/1 +Running .* apps=web/ },
      { run: "kubectl apply -f 04-svc-NodeIP.yaml", expect: "service/myweb-nodeport created" },
      { run: "kubectl get svc", expect: /myweb-nodeport +NodePort +[\d.]+ +<none> +8888:\d+\/TCP/, capture: { np: /8888:(\d+)\/TCP/, cip: /myweb-nodeport +NodePort +([\d.]+)/ } },
      node("master231", "curl ${nodeIP0}:${np}", { expect: "<center><h1>403 Forbidden</h1></center>" }),
      node("master231", "curl ${nodeIP1}:${np}", { expect: "<center>nginx/1.25.1</center>" }),
      node("master231", "curl ${nodeIP2}:${np}", { expect: "<center>nginx/1.25.1</center>" }),
      node("master231", "ss -ntl | grep ${np}", { expect: /^\s*$/, fails: "grep finds nothing: no socket listens on a NodePort, as the tutorial shows" }),
      { run: "kubectl describe svc myweb-nodeport ", expect: /Endpoints: +(\d+\.\d+\.\d+\.\d+:80,){2}\d+\.\d+\.\d+\.\d+:80 \+ 4 more\.\.\./ },
      node("master231", "iptables-save | grep ${cip}", { expect: "default/myweb-nodeport cluster IP", capture: { svcChain: /(KUBE-SVC-[A-Z0-9]+)/ } }),
      node("master231", "iptables-save | grep ${svcChain}", { expect: /-m statistic --mode random --probability 0\.14285714\d+ -j KUBE-SEP-/, capture: { sepChain: /(KUBE-SEP-[A-Z0-9]+)/ } }),
      node("master231", "iptables-save | grep ${sepChain}", { expect: /-j DNAT --to-destination 10\.\d+\.\d+\.\d+:80/ }),
      { run: "kubectl describe ep myweb-nodeport", expect: /Addresses: +(\d+\.\d+\.\d+\.\d+,){6}\d+\.\d+\.\d+\.\d+/ },
      { run: "kubectl delete -f 04-svc-NodeIP.yaml", note: "not shown: the tutorial creates the Service again" },
      { run: "kubectl apply -f 05-svc-NodeIP.yaml ", expect: "service/myweb-nodeport created" },
      { run: "kubectl get pods -o wide --show-labels", expect: "apps=web" },
      { run: "kubectl get svc", expect: /8888:30080\/TCP/ },
      node("master231", "curl ${nodeIP0}:30080", { expect: "403 Forbidden" }),
      // Namespaces.
      { run: "kubectl get ns", expect: /kube-system +Active/ },
      { run: "kubectl get pods", expect: /koten-rc-\w+ +1\/1 +Running/ },
      { run: "kubectl get pods -n kube-system ", expect: /kube-proxy-\w+ +1\/1 +Running/, capture: { kp: /^(kube-proxy-\w+) / } },
      { run: "kubectl get pods,cm -A", expect: "configmap/kube-root-ca.crt" },
      { run: "kubectl create namespace linux", expect: "namespace/linux created" },
      { run: "kubectl apply -f 01-ns-custom.yaml ", expect: "namespace/koten-linux-custom created" },
      { run: "kubectl apply -f 31-pods-volumes-configMap-games-ns.yaml", expect: "pod/koten-games-cm-ns-002 created\nconfigmap/nginx.conf created" },
      { wait: 11 },
      { run: "kubectl -n linux get cm,po", expect: /pod\/koten-games-cm-ns-002 +1\/1 +Running/ },
      { run: "kubectl delete namespaces linux ", expect: 'namespace "linux" deleted' },
      { run: "kubectl -n linux get cm,po", expect: "No resources found in linux namespace." },
      // kube-proxy to ipvs.
      { run: "kubectl -n kube-system logs -f ${kp} ", stopAfterMs: 1500, expect: /Using iptables Proxier/ },
      { run: "kubectl -n kube-system edit cm kube-proxy ", env: { KUBE_EDITOR: `sed -i 's/^\\( *\\)mode: .*/\\1mode: "ipvs"/'` }, expect: "configmap/kube-proxy edited" },
      { run: "kubectl -n kube-system get cm kube-proxy -o yaml | grep mode", expect: 'mode: "ipvs"' },
      { run: "kubectl -n kube-system get pods | grep kube-proxy", expect: /kube-proxy-\w+ +1\/1 +Running/ },
      { run: "kubectl -n kube-system delete pod `kubectl -n kube-system get pods | grep kube-proxy | awk '{print $1}'`", expect: /(pod "kube-proxy-\w+" deleted\s+){3}/ },
      { wait: 61 },
      { run: "kubectl -n kube-system get pods | grep kube-proxy", expect: /kube-proxy-\w+ +1\/1 +Running +0/, capture: { kp2: /^(kube-proxy-\w+) / } },
      { run: "kubectl -n kube-system logs -f ${kp2}", stopAfterMs: 1500, expect: "Using ipvs Proxier" },
      { run: "kubectl apply -f 03-rc-nginx.yaml ", expect: /configmap\/nginx\.conf unchanged\s+replicationcontroller\/koten-rc (configured|unchanged)/ },
      { run: "kubectl apply -f 05-svc-NodeIP.yaml ", expect: /service\/myweb-nodeport (unchanged|created)/ },
      { wait: 7 },
      { run: "kubectl get svc", expect: /myweb-nodeport +NodePort +[\d.]+ +<none> +8888:30080\/TCP/, capture: { cip2: /myweb-nodeport +NodePort +([\d.]+)/ } },
      node("master231", "ipvsadm -ln | grep ${cip2} -A 3", { expect: /TCP +[\d.]+:8888 rr\n( +-> [\d.]+:80 +Masq +1 +0 +0 *\n?){3}/ }),
      { run: "kubectl describe svc myweb-nodeport ", expect: /NodePort: +<unset> +30080\/TCP/ },
      // readinessProbe.
      { run: "kubectl apply -f 32-pods-livenessProbe-readinessProbe-httGet.yaml", expect: "pod/probe-liveness-readiness-httpget created\nservice/probe-readiness-liveness-httpget created" },
      { wait: 15 },
      { run: "kubectl get pods", expect: /probe-liveness-readiness-httpget +0\/1 +Running +0/ },
      { wait: 8 },
      { run: "kubectl describe pods probe-liveness-readiness-httpget", expect: /Warning +Unhealthy .* Readiness probe failed: HTTP probe failed with statuscode: 404/ },
      { run: "kubectl describe ep probe-readiness-liveness-httpget ", expect: /Addresses: +<none>\n +NotReadyAddresses: +\d+\.\d+\.\d+\.\d+/ },
      // "We add /koten.html" — the tutorial does not show how; kubectl exec is the way it uses below.
      { run: "kubectl exec probe-liveness-readiness-httpget -- sh -c 'echo koten > /usr/share/nginx/html/koten.html'", note: "not shown: writes /koten.html" },
      { wait: 3 },
      { run: "kubectl describe ep probe-readiness-liveness-httpget ", expect: /Addresses: +\d+\.\d+\.\d+\.\d+\n +NotReadyAddresses: +<none>/ },
      // startupProbe: an idle shell is cut off when the container is killed at 43 s.
      { run: "kubectl apply -f 33-pods-startupProbe-livenessProbe-readinessProbe-httGet.yaml", expect: "pod/probe-startup-liveness-readiness-httpget created\nservice/probe-startup-readiness-liveness-httpget created" },
      { wait: 2 },
      { run: "kubectl exec -it probe-startup-liveness-readiness-httpget -- sh", background: "idle-shell" },
      { wait: 45 },
      { join: "idle-shell", expect: "command terminated with exit code 137", fails: "exit code 137: the container was killed, as the tutorial shows" },
      { run: "kubectl describe pod probe-startup-liveness-readiness-httpget ", expect: /Normal +Killing .* Container web failed startup probe, will be restarted/ },
      { run: "kubectl delete -f 33-pods-startupProbe-livenessProbe-readinessProbe-httGet.yaml", note: "not shown: the tutorial applies it again as new" },
      { run: "kubectl apply -f 33-pods-startupProbe-livenessProbe-readinessProbe-httGet.yaml", expect: "pod/probe-startup-liveness-readiness-httpget created" },
      { wait: 5 },
      { run: "kubectl exec -it probe-startup-liveness-readiness-httpget -- sh", input: "echo 111 > /usr/share/nginx/html/start.html\nexit\n" },
      { wait: 41 },
      { run: "kubectl describe pod probe-startup-liveness-readiness-httpget ", expect: /Warning +Unhealthy .* Readiness probe failed: HTTP probe failed with statuscode: 404/ },
      // Static pods, and the NodePort range widened through the API server's manifest.
      node("master231", "grep static /var/lib/kubelet/config.yaml", { expect: "staticPodPath: /etc/kubernetes/manifests" }),
      node("master231", "ls /etc/kubernetes/manifests/", { expect: /etcd\.yaml\s+kube-apiserver\.yaml\s+kube-controller-manager\.yaml\s+kube-scheduler\.yaml/ }),
      node("master231", "sed -i 's/^\\( *\\)- kube-apiserver$/&\\n\\1- --service-node-port-range=3000-50000/' /etc/kubernetes/manifests/kube-apiserver.yaml", { note: "vim: adds the flag" }),
      node("master231", "cat /etc/kubernetes/manifests/kube-apiserver.yaml", { expect: /- kube-apiserver\n +- --service-node-port-range=3000-50000/ }),
      node("master231", "mv /etc/kubernetes/manifests/kube-apiserver.yaml /tmp/"),
      node("master231", "mv /tmp/kube-apiserver.yaml /etc/kubernetes/manifests/"),
      { wait: 30 },
      { run: "kubectl apply -f 03-rc-nginx.yaml ", expect: /replicationcontroller\/koten-rc (unchanged|configured|created)/ },
      { run: "kubectl apply -f svc-05-svc-NodeIP.yaml", expect: /service\/myweb-nodeport (configured|created)/ },
      { run: "kubectl get svc", expect: /myweb-nodeport +NodePort +[\d.]+ +<none> +8888:8080\/TCP/ },
      node("master231", "curl ${nodeIP0}:8080", { expect: "403 Forbidden" }),
      // Upgrading a ReplicationController's pods one at a time behind NodePort 30080, which the
      // tutorial's cluster had freed by moving myweb-nodeport to 8080.
      { run: "kubectl delete svc myweb-nodeport", note: "not shown: frees 30080 when the move to 8080 did not happen" },
      { run: "kubectl apply -f 04-rc-apps.yaml ", expect: "replicationcontroller/koten-rc-apps-v1 created" },
      { run: "kubectl apply -f 06-rc-apps-svc.yaml ", expect: "service/koten-apps created" },
      { wait: 200 },
      { run: "kubectl get pods --show-labels", expect: /koten-rc-apps-v1-\w+ +1\/1 +Running .* apps=v1/ },
      { run: "kubectl get svc koten-apps ", expect: /koten-apps +NodePort +[\d.]+ +<none> +80:30080\/TCP/ },
      { write: "04-rc-apps.yaml", text: rcApps("1.25.1") },
      { run: "kubectl apply -f 04-rc-apps.yaml ", expect: "replicationcontroller/koten-rc-apps-v1 configured" },
      { run: "kubectl get pods -o wide", expect: /koten-rc-apps-v1-\w+ +1\/1 +Running/, capture: { old1: /^(koten-rc-apps-v1-\w+) /, old2: /^koten-rc-apps-v1-\w+ [^\n]*\n(koten-rc-apps-v1-\w+) /, old3: /^(?:koten-rc-apps-v1-\w+ [^\n]*\n){2}(koten-rc-apps-v1-\w+) / } },
      { run: "kubectl delete pods ${old1}", expect: 'pod "${old1}" deleted' },
      { wait: 3 },
      { run: "kubectl get pods -o wide", capture: { newIP: /^koten-rc-apps-v1-\w+ +1\/1 +Running +0 +\d+s +(\d+\.\d+\.\d+\.\d+)/ } },
      node("master231", "curl -I ${newIP}", { expect: /^HTTP\/1\.1 200 OK\r?\nServer: nginx\/1\.25\.1/ }),
      { run: "kubectl delete pod ${old2} ${old3}", expect: 'pod "${old2}" deleted\npod "${old3}" deleted' },
    ],
  },
  {
    id: "002",
    title: "Kubernetes核心技术(上): Pod, Deployment, Service",
    nodes: null,
    skipped: ["kubectl delete rc <rc名>, kubectl delete pod <pod名>, kubectl delete -f <文件名> — placeholders"],
    steps: [
      ...write(M002),
      { run: "kubectl get pod", expect: "No resources found in default namespace." },
      { run: "kubectl get pod -n kube-system", expect: /coredns-\w+-\w+ +1\/1 +Running/ },
      { run: "kubectl get pod -o wide", expect: "No resources found in default namespace." },
      { run: "kubectl describe node k8s-node1", expect: /^Name: +k8s-node1$/m },
      { run: "kubectl create -f pod.yaml", expect: "pod/web created" },
      { wait: 10 },
      { run: "kubectl apply -f pod.yaml", expect: "pod/web configured" },
      { run: "kubectl describe pod web", expect: /^Status: +Running$/m },
      { run: "kubectl delete -f pod.yaml", expect: 'pod "web" deleted' },
      { run: "kubectl run httpd-ken1--generator=run-pod/v1 --image=httpd --replicas=2", fails: "kubectl removed --generator and --replicas from run (1.18)" },
      { run: "kubectl create deployment httpd-ken --image=httpd --replicas=2", note: "today's form of the run above" },
      { wait: 35 },
      { run: "kubectl get deployment", expect: /httpd-ken +2\/2 +2 +2/ },
      { run: "kubectl  describe deployment httpd-ken", expect: /Replicas: +2 desired \| 2 updated \| 2 total \| 2 available \| 0 unavailable/ },
      { run: "kubectl get replicaset", expect: /httpd-ken-\w+ +2 +2 +2/ },
      { run: "kubectl describe replicaset", expect: /Pods Status: +2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed/ },
      { run: "kubectl get pod", expect: /httpd-ken-\w+-\w+ +1\/1 +Running/ },
      { run: "kubectl describe pod", expect: /Controlled By: +ReplicaSet\/httpd-ken-\w+/ },
      { run: "kubectl apply -f my-service.yaml", expect: "service/my-service created" },
      { run: "kubectl describe ep/my-service", expect: /^Name: +my-service$/m },
      { run: "kubectl create deployment nginx --image=nginx", note: "not shown: the app=nginx pods nginx-service selects" },
      { run: "kubectl apply -f nginx-service.yaml", expect: "service/nginx-service created" },
      { wait: 11 },
      { run: "kubectl get svc nginx-service -o wide", expect: /nginx-service +ClusterIP +[\d.]+ +<none> +80\/TCP +\d+s +app=nginx/, capture: { cip: /nginx-service +ClusterIP +([\d.]+)/ } },
      node("k8s-master", "curl ${cip}", { expect: "<h1>Welcome to nginx!</h1>" }),
      { run: "kubectl exec deploy/nginx -- curl -s nginx-service.default.svc.cluster.local", note: "the tutorial's curl from inside a pod", expect: "<h1>Welcome to nginx!</h1>" },
      { run: "kubectl delete deployment httpd-ken", expect: 'deployment.apps "httpd-ken" deleted' },
      { run: "kubectl delete service nginx-service", expect: 'service "nginx-service" deleted' },
      { run: "kubectl delete pod --all", expect: /pod "nginx-\w+-\w+" deleted/ },
    ],
  },
  {
    id: "003",
    title: "K8S存储: NFS, csi-driver-nfs, PVC/PV",
    nodes: ["control", "node1", "node2"],
    skipped: [
      "lsblk, vgcreate, vgs, lvcreate, lvs, mkfs.xfs, mount, df, vim /etc/fstab, tail -1 /etc/fstab — a spare disk for the export",
      "yum -y install nfs-utils — packages",
      "unzip csi-driver-nfs-master.zip; ls/grep/sed/head in it — a downloaded file (install-driver.sh's kubectl applies are replayed)",
    ],
    steps: [
      ...write(M003),
      node("node1", "mkdir /nfs-share", { note: "in place of the new disk mounted there" }),
      node("node1", "echo '/nfs-share      ${subnet}(rw,sync,no_root_squash)' > /etc/exports", { note: "vim /etc/exports, with this cluster's subnet" }),
      node("node1", "cat /etc/exports", { expect: "/nfs-share      " }),
      node("node1", "systemctl start nfs-server"),
      node("node1", "showmount -e localhost", { expect: /Export list for localhost:\n\/nfs-share +/ }),
      node("control", "showmount -e node1", { expect: /Export list for node1:\n\/nfs-share +/ }),
      // ./deploy/install-driver.sh v4.6.0 local
      { run: "kubectl apply -f deploy/v4.6.0/rbac-csi-nfs.yaml", expect: "serviceaccount/csi-nfs-controller-sa created" },
      { run: "kubectl apply -f deploy/v4.6.0/csi-nfs-driverinfo.yaml", expect: "csidriver.storage.k8s.io/nfs.csi.k8s.io created" },
      { run: "kubectl apply -f deploy/v4.6.0/csi-nfs-controller.yaml", expect: "deployment.apps/csi-nfs-controller created" },
      { run: "kubectl apply -f deploy/v4.6.0/csi-nfs-node.yaml", expect: "daemonset.apps/csi-nfs-node created" },
      { wait: 73 },
      { run: "kubectl -n kube-system get pod -o wide -l app=csi-nfs-controller", expect: /csi-nfs-controller-\w+-\w+ +4\/4 +Running/ },
      { run: "kubectl -n kube-system get pod -o wide -l app=csi-nfs-node", expect: /(csi-nfs-node-\w+ +3\/3 +Running[^\n]*\n){2}csi-nfs-node-\w+ +3\/3 +Running/ },
      { write: "storageclass.yaml", text: storageClass("Delete") },
      { run: "kubectl apply -f storageclass.yaml", note: "not shown" },
      { run: "kubectl get storageclasses", expect: /nfs-csi \(default\) +nfs\.csi\.k8s\.io +Delete +Immediate +false/ },
      { run: "kubectl apply -f nfs-csi-test.yml", expect: "persistentvolumeclaim/pvc-nfs-dynamic created" },
      { wait: 3 },
      { run: "kubectl get pvc", expect: /pvc-nfs-dynamic +Bound +pvc-[0-9a-f-]+ +1Gi +RWX +nfs-csi/ },
      { wait: 11 },
      { run: "kubectl get pv", expect: /pvc-[0-9a-f-]+ +1Gi +RWX +Delete +Bound +default\/pvc-nfs-dynamic +nfs-csi/, capture: { pv: /^(pvc-[0-9a-f-]+) / } },
      node("node1", "ls /nfs-share/", { expect: "${pv}" }),
      node("node1", "ls /nfs-share/${pv}/"),
      node("node1", 'echo "content save on nfsserver" >> /nfs-share/${pv}/index.html'),
      { run: "kubectl apply -f test-nginx.yml", expect: "deployment.apps/test-nginx created" },
      { wait: 9 },
      { run: "kubectl get deployments.apps", expect: /test-nginx +3\/3 +3 +3/ },
      { run: "kubectl expose deployment test-nginx", expect: "service/test-nginx exposed" },
      { run: "kubectl get svc", expect: /test-nginx +ClusterIP +[\d.]+ +<none> +80\/TCP/, capture: { cip: /test-nginx +ClusterIP +([\d.]+)/ } },
      node("control", "curl ${cip}", { expect: "content save on nfsserver" }),
      node("control", "curl ${cip}", { expect: "content save on nfsserver" }),
      node("control", "curl ${cip}", { expect: "content save on nfsserver" }),
      // Deleting the claim hangs while pods use it; the reader deletes them from a second terminal.
      { run: "kubectl delete -f nfs-csi-test.yml", background: "delete-pvc" },
      { run: "kubectl delete svc test-nginx", expect: 'service "test-nginx" deleted' },
      { run: "kubectl delete deployments.apps test-nginx", expect: 'deployment.apps "test-nginx" deleted' },
      { wait: 35 },
      { join: "delete-pvc", expect: 'persistentvolumeclaim "pvc-nfs-dynamic" deleted' },
      { write: "storageclass.yaml", text: storageClass("Retain") },
      { run: "kubectl delete -f storageclass.yaml", expect: 'storageclass.storage.k8s.io "nfs-csi" deleted' },
      { run: "kubectl apply -f storageclass.yaml", expect: "storageclass.storage.k8s.io/nfs-csi created" },
      { run: "kubectl apply -f nfs-csi-test.yml", expect: "persistentvolumeclaim/pvc-nfs-dynamic created" },
      { wait: 7 },
      { run: "kubectl get pvc", expect: /pvc-nfs-dynamic +Bound +pvc-[0-9a-f-]+ +1Gi +RWX +nfs-csi/ },
      { run: "kubectl get pv", expect: /pvc-[0-9a-f-]+ +1Gi +RWX +Retain +Bound +default\/pvc-nfs-dynamic/ },
      { run: "kubectl delete pvc pvc-nfs-dynamic", expect: 'persistentvolumeclaim "pvc-nfs-dynamic" deleted' },
      { run: "kubectl get pv", expect: /pvc-[0-9a-f-]+ +1Gi +RWX +Retain +Released +default\/pvc-nfs-dynamic/ },
    ],
  },
  {
    id: "004",
    title: "k8s创建pod状态 (lifecycle, restart policy, ContainerCreating)",
    nodes: null,
    skipped: ["no command lines besides `kubectl describe pod`/`kubectl describe po`: the flow runs what the article describes"],
    steps: [
      { run: "kubectl run always --image=busybox --restart=Always -- sh -c 'sleep 5; exit 0'", expect: "pod/always created" },
      { run: "kubectl run onfailure --image=busybox --restart=OnFailure -- sh -c 'sleep 5; exit 1'", expect: "pod/onfailure created" },
      { run: "kubectl run never --image=busybox --restart=Never -- sh -c 'sleep 5; exit 1'", expect: "pod/never created" },
      { run: "kubectl run bad-image --image=nginx:no-such-tag", expect: "pod/bad-image created" },
      { wait: 30 },
      { run: "kubectl get pods", expect: /never +0\/1 +Error +0/ },
      { run: "kubectl describe pod bad-image", expect: /Failed to pull image "nginx:no-such-tag"/ },
      { run: "kubectl describe po onfailure", expect: /Back-off restarting failed container/ },
      { wait: 600 },
      { run: "kubectl get pods", expect: /always +0\/1 +(CrashLoopBackOff|Completed) +\d+ \(\S+ ago\)/ },
      { run: "kubectl create deployment web --image=nginx", expect: "deployment.apps/web created" },
      { wait: 10 },
      { run: "kubectl delete pod -l app=web", expect: /pod "web-\w+-\w+" deleted/ },
      { wait: 5 },
      { run: "kubectl get pods -l app=web", expect: /web-\w+-\w+ +1\/1 +Running +0/ },
    ],
  },
];

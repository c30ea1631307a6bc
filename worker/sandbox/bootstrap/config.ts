// The configuration kubeadm leaves in the cluster: kubeadm-config, kubelet-config, cluster-info,
// the kube-proxy and CoreDNS configurations, and the apiserver's own ConfigMaps.
import type { KubeObject } from "../../resources/types";
import { FRONT_PROXY_CA, SANDBOX_CA } from "./pki";

export const KUBERNETES_VERSION = "v1.32.3";
export const CLUSTER_DOMAIN = "cluster.local";
export const SERVICE_SUBNET = "10.96.0.0/12";
export const POD_SUBNET = "10.244.0.0/16";
export const DNS_SERVICE_IP = "10.96.0.10";

/** Images of kubeadm 1.32 (`kubeadm config images list`). */
export const IMAGES = {
  apiserver: `registry.k8s.io/kube-apiserver:${KUBERNETES_VERSION}`,
  controllerManager: `registry.k8s.io/kube-controller-manager:${KUBERNETES_VERSION}`,
  scheduler: `registry.k8s.io/kube-scheduler:${KUBERNETES_VERSION}`,
  proxy: `registry.k8s.io/kube-proxy:${KUBERNETES_VERSION}`,
  coredns: "registry.k8s.io/coredns/coredns:v1.11.3",
  etcd: "registry.k8s.io/etcd:3.5.16-0",
  pause: "registry.k8s.io/pause:3.10",
} as const;

function configMap(namespace: string, name: string, data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...(labels ? { labels } : {}) }, data };
}

const base64 = (s: string) => btoa(s);

const CLUSTER_CONFIGURATION = `apiServer: {}
apiVersion: kubeadm.k8s.io/v1beta4
caCertificateValidityPeriod: 87600h0m0s
certificateValidityPeriod: 8760h0m0s
certificatesDir: /etc/kubernetes/pki
clusterName: kubernetes
controllerManager: {}
dns: {}
encryptionAlgorithm: RSA-2048
etcd:
  local:
    dataDir: /var/lib/etcd
imageRepository: registry.k8s.io
kind: ClusterConfiguration
kubernetesVersion: ${KUBERNETES_VERSION}
networking:
  dnsDomain: ${CLUSTER_DOMAIN}
  podSubnet: ${POD_SUBNET}
  serviceSubnet: ${SERVICE_SUBNET}
proxy: {}
scheduler: {}
`;

export const KUBELET_CONFIGURATION = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- ${DNS_SERVICE_IP}
clusterDomain: ${CLUSTER_DOMAIN}
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
crashLoopBackOff: {}
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;

export const KUBE_PROXY_CONFIGURATION = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: ${POD_SUBNET}
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpBeLiberal: false
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
  udpStreamTimeout: 0s
  udpTimeout: 0s
detectLocal:
  bridgeInterface: ""
  interfaceNamePrefix: ""
detectLocalMode: ""
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
ipvs:
  excludeCIDRs: null
  minSyncPeriod: 0s
  scheduler: ""
  strictARP: false
  syncPeriod: 0s
  tcpFinTimeout: 0s
  tcpTimeout: 0s
  udpTimeout: 0s
kind: KubeProxyConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
metricsBindAddress: ""
mode: "iptables"
nftables:
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
showHiddenMetricsForVersion: ""
winkernel:
  enableDSR: false
  forwardHealthCheckVip: false
  networkName: ""
  rootHnsEndpointName: ""
  sourceVip: ""`;

// Models cmd/kubeadm/app/phases/addons/dns/manifests.go CoreDNSConfigMap
export const COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success ${CLUSTER_DOMAIN}
       disable denial ${CLUSTER_DOMAIN}
    }
    loop
    reload
    loadbalance
}
`;

/** The kubeconfig kube-proxy reads from its ConfigMap (in-cluster credentials). */
function kubeProxyKubeconfig(endpoint: string): string {
  return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://${endpoint}
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token`;
}

/** `cluster-info` in kube-public: what `kubeadm join` reads before it trusts anything. */
function clusterInfoKubeconfig(endpoint: string): string {
  return `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${base64(SANDBOX_CA)}
    server: https://${endpoint}
  name: ""
contexts: null
current-context: ""
kind: Config
preferences: {}
users: null
`;
}

/** ConfigMaps of a fresh kubeadm cluster; `endpoint` is the control plane's host:port. */
export function clusterConfigMaps(endpoint: string, today: string): KubeObject[] {
  return [
    configMap("kube-system", "kubeadm-config", { ClusterConfiguration: CLUSTER_CONFIGURATION }),
    configMap("kube-system", "kubelet-config", { kubelet: KUBELET_CONFIGURATION }),
    configMap("kube-system", "kube-proxy", { "config.conf": KUBE_PROXY_CONFIGURATION, "kubeconfig.conf": kubeProxyKubeconfig(endpoint) }, { app: "kube-proxy" }),
    configMap("kube-system", "coredns", { Corefile: COREFILE }),
    configMap("kube-system", "extension-apiserver-authentication", {
      "client-ca-file": SANDBOX_CA,
      "requestheader-allowed-names": '["front-proxy-client"]',
      "requestheader-client-ca-file": FRONT_PROXY_CA,
      "requestheader-extra-headers-prefix": '["X-Remote-Extra-"]',
      "requestheader-group-headers": '["X-Remote-Group"]',
      "requestheader-username-headers": '["X-Remote-User"]',
    }),
    configMap("kube-system", "kube-apiserver-legacy-service-account-token-tracking", { since: today }),
    configMap("kube-public", "cluster-info", { kubeconfig: clusterInfoKubeconfig(endpoint) }),
  ];
}

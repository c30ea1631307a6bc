// The cluster's certificate authority as the objects that publish it show it.

/** Annotation the root CA publisher puts on every `kube-root-ca.crt` ConfigMap. */
export const ROOT_CA_DESCRIPTION =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/** A placeholder certificate: nothing in a sandbox speaks TLS, but tutorials cat this file. */
export const SANDBOX_CA = `-----BEGIN CERTIFICATE-----
MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwprdWJlcm5l
dGVzMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowFTETMBEGA1UEAxMK
a3ViZXJuZXRlczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABGt1YmVwbGF5IHNh
bmRib3ggY2VydGlmaWNhdGUgYXV0aG9yaXR5IHBsYWNlaG9sZGVyIGtleSBkYXRh
o0IwQDAOBgNVHQ8BAf8EBAMCAqQwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQU
a3ViZXBsYXktc2FuZGJveC1jYTAKBggqhkjOPQQDAgNIADBFAiEAa3ViZXBsYXkg
c2FuZGJveCBjYSBzaWduYXR1cmUgcGxhY2Vob2xkZXICIGt1YmVwbGF5IHNhbmRi
-----END CERTIFICATE-----
`;

/** A second placeholder, for the front proxy (aggregation layer) CA kubeadm also creates. */
export const FRONT_PROXY_CA = `-----BEGIN CERTIFICATE-----
MIIBfzCCASWgAwIBAgIBADAKBggqhkjOPQQDAjAZMRcwFQYDVQQDEw5mcm9udC1w
cm94eS1jYTAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMBkxFzAVBgNV
BAMTDmZyb250LXByb3h5LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEa3Vi
ZXBsYXkgc2FuZGJveCBmcm9udCBwcm94eSBjYSBwbGFjZWhvbGRlciBrZXkgZGF0
YSBoZXJlIG9rIG9rIG9rIG9rIG9rIG9rIG9ro0IwQDAOBgNVHQ8BAf8EBAMCAqQw
DwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUa3ViZXBsYXktZnJvbnQtcHJveHkw
CgYIKoZIzj0EAwIDSAAwRQIhAGt1YmVwbGF5IGZyb250IHByb3h5IHNpZ25hdHVy
-----END CERTIFICATE-----
`;

import YAML from "yaml";

/**
 * A kubeconfig whose cluster server is the sandbox URL (the sandbox is identified by the path); with
 * `token`, its user presents it as a bearer token (see service/access.ts).
 */
export function kubeconfigYaml(origin: string, id: string, token?: string): string {
  const name = `kubeplay-${id.slice(0, 8)}`;
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: `${origin}/s/${id}` } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: "default" } }],
    "current-context": name,
    preferences: {},
    users: [{ name, user: token ? { token } : {} }],
  });
}

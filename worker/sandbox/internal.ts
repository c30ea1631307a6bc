// Headers and paths between the Worker and a sandbox's Durable Object. The Worker strips any
// client-sent copies of these headers, so only it can set them.
export const SANDBOX_HEADER = "x-kubeplay-sandbox";
export const READ_ONLY_HEADER = "x-kubeplay-read-only";
export const PREFIX_HEADER = "x-kubeplay-prefix";
export const INTERNAL_PREFIX = "/__kubeplay/";

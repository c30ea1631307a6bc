// Serving files from a document root the way nginx and Apache httpd answer: index files, 404 and
// 403 pages in each server's own wording, and the server signature in them.
import { DIRECTORY, type FsReader, type HttpResponse } from "../types";
import { tryUnescapeUrl } from "../../util/url";

export type ServerKind = "nginx" | "apache";

function errorPage(kind: ServerKind, status: number, version: string): string {
  const text: Record<number, string> = { 301: "Moved Permanently", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Not Allowed" };
  const title = `${status} ${text[status] ?? "Error"}`;
  if (kind === "nginx") {
    return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx/${version}</center>\r\n</body>\r\n</html>\r\n`;
  }
  const detail = status === 404 ? "The requested URL was not found on this server." : "You don't have permission to access this resource.";
  return `<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>${title}</title>\n</head><body>\n<h1>${text[status] ?? "Error"}</h1>\n<p>${detail}</p>\n</body></html>\n`;
}

/** The answer for GET `path` from files under `root`. */
export function serveFile(kind: ServerKind, version: string, fs: FsReader, root: string, path: string, index = ["index.html", "index.htm"]): HttpResponse {
  // A broken escape is a bad request to both servers, as a path climbing above the root is.
  const clean = tryUnescapeUrl(path.split("?")[0] || "/");
  if (clean === undefined || clean.split("/").includes("..")) return { status: 400, body: errorPage(kind, 400, version) };
  const base = root.replace(/\/$/, "");
  const target = `${base}${clean}`;
  const server = kind === "nginx" ? `nginx/${version}` : `Apache/${version} (Unix)`;
  const headers = { Server: server, "Content-Type": "text/html" };
  const content = fs.read(target.replace(/\/$/, "") || "/");
  const isDir = content === DIRECTORY || (content === undefined && fs.list(target).length > 0);
  if (isDir) {
    if (!clean.endsWith("/")) return { status: 301, body: errorPage(kind, 301, version), headers: { ...headers, Location: `${clean}/` } };
    for (const name of index) {
      const c = fs.read(`${target.replace(/\/$/, "")}/${name}`);
      if (c !== undefined && c !== DIRECTORY) return { status: 200, body: c, headers };
    }
    return { status: 403, body: errorPage(kind, 403, version), headers };
  }
  if (content === undefined) {
    // The root itself may be empty (an emptyDir mounted over it): nginx answers 403 for `/`.
    if (clean === "/") return { status: 403, body: errorPage(kind, 403, version), headers };
    return { status: 404, body: errorPage(kind, 404, version), headers };
  }
  return { status: 200, body: content, headers: { ...headers, "Content-Type": contentType(clean) } };
}

function contentType(path: string): string {
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  return { html: "text/html", htm: "text/html", json: "application/json", css: "text/css", js: "application/javascript", txt: "text/plain" }[ext] ?? "application/octet-stream";
}

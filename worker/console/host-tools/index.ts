// Text tools a node's shell has beyond the runtime's core utilities, for the pipelines tutorials
// type after kubectl: `awk '{print $1}'`, `sed`, `sort`, `uniq`, `cut`, `tr`, `base64`, `tee`,
// `column -t`, and `less`/`more` (which page nothing: the console's terminal scrolls). Each handles
// the common forms; an unsupported one says so rather than guessing.
import type { Program } from "../../runtime/shell/proc";
import { awk } from "./awk";
import { inputs } from "./common";
import { grep, head, tail, wc } from "./gnu";
import { sed } from "./sed";
import { base64, column, cut, sort, tee, tr, uniq } from "./text";

const pager: Program = (p, argv, io) => {
  const { text, status } = inputs(p, argv[0], argv.slice(1).filter((a) => !a.startsWith("-")), io);
  io.out(text);
  return status;
};

const editor: Program = (_p, argv, io) => {
  io.err(`${argv[0]}: the console's terminal has no full-screen editor; write files with cat > FILE <<'EOF' … EOF, change them with sed -i, and edit objects with KUBE_EDITOR="sed -i s/OLD/NEW/" kubectl edit …\n`);
  return 1;
};

export const HOST_TOOLS: Record<string, Program> = {
  grep,
  egrep: grep,
  fgrep: grep,
  head,
  tail,
  wc,
  awk,
  gawk: awk,
  sed,
  sort,
  uniq,
  cut,
  tr,
  base64,
  tee,
  column,
  less: pager,
  more: pager,
  vim: editor,
  vi: editor,
  nano: editor,
};

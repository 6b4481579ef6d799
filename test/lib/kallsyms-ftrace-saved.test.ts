// /proc/kallsyms lists, after every module's own symbols, ftrace's record of modules' freed init
// functions under the module's tag (kernel/trace/ftrace.c ftrace_mod_get_kallsym(), type 'T') — as
// the corpus's 6.12 guest printed `lpt_init [lpt_target]` after lp_a's block. They are not the
// module's symbol table, which the livepatch core counts: not part of its object.
import { describe, expect, it } from "vitest";
import { parseSymbolText } from "../../lib/kallsyms.js";

const TEXT = `ffffffff81000000 T _stext
ffffffffa0018000 t lpt_a_get\t[lpt_target]
ffffffffa0018079 t dupfn\t[lpt_target]
ffffffffa0000000 t cleanup_module\t[lp_a]
ffffffffa001e000 T lpt_init\t[lpt_target]
ffffffffa0022000 t ftrace_trampoline\t[__builtin__ftrace]
`;

describe("kallsyms: ftrace's saved init functions of a module", () => {
  it("are not counted in the module's object, and are noted", () => {
    const t = parseSymbolText(Buffer.from(TEXT), "kallsyms", "kallsyms");
    const obj = t.objects.get("lpt_target")!;
    expect(obj.count).toBe(2);
    expect(obj.positionsOf("lpt_init")).toEqual([]);
    expect(t.notes).toContain(
      "skipped 1 later [lpt_target] line(s): ftrace's record of its freed init functions, not its symbol table",
    );
  });
});

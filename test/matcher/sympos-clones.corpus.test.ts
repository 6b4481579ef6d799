// `sympos NAME` when the kernel has only gcc clones of the name: it points at them (a livepatch must
// name the clone in full), on a live 6.18 kallsyms where __ep_eventpoll_poll exists only as .isra.0.
import { describe, expect, it } from "vitest";
import { readKallsyms } from "../../lib/kallsyms.js";
import { chooseRule } from "../../lib/rules.js";
import { symposReport } from "../../matcher/sympos.js";
import { corpusPath } from "../corpus.js";

describe("sympos: gcc clones of the name", () => {
  it("__ep_eventpoll_poll: no exact name, the .isra.0 clone with its own pair", async () => {
    const table = await readKallsyms(corpusPath("kallsyms", "proc-kallsyms-6.18.44-gcc15.txt"));
    const r = symposReport(table, "__ep_eventpoll_poll", { choice: chooseRule(table, {}) });
    expect(r.candidates).toEqual([]);
    expect(
      r.clones.map((c) => [c.symbol.name, c.symbol.address?.toString(16), c.pair.ok && c.pair.oldName]),
    ).toEqual([["__ep_eventpoll_poll.isra.0", "ffffffff817312e0", "__ep_eventpoll_poll.isra.0"]]);
  });

  it("a name that exists plainly lists its clones beside it, never their .cold parts or __pfx_ stubs", async () => {
    const table = await readKallsyms(corpusPath("kallsyms", "proc-kallsyms-6.18.44-gcc15.txt"));
    const r = symposReport(table, "btrfs_dump_space_info", { choice: chooseRule(table, {}) });
    expect(r.candidates.map((c) => c.symbol.name)).toEqual(["btrfs_dump_space_info"]);
    // the table also has btrfs_dump_space_info.part.0.cold and __pfx_ stubs of both
    expect(r.clones.map((c) => c.symbol.name)).toEqual(["btrfs_dump_space_info.part.0"]);
  });
});

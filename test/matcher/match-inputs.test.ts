// The inputs `match` reads besides objects and symbol tables: a build tree's *.mod files and
// modules.order (which object goes to which module), and Module.symvers (which symbols are exported).
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBuildTree } from "../../lib/build-tree.js";
import { InputError } from "../../lib/input-error.js";
import { parseSymvers } from "../../lib/symvers.js";

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "klpmatch-tree-"));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return root;
}

describe("build tree → objname", () => {
  it("reads *.mod files (paths from the root), normalizes module names, defaults to vmlinux", async () => {
    const root = await tree({
      "drivers/net/dummy.o": "",
      "drivers/net/dummy.mod": "drivers/net/dummy.o\n",
      "fs/fat/fat.mod": "fs/fat/cache.o fs/fat/dir.o\nfs/fat/inode.o\n",
      "fs/fat/inode.o": "",
      "drivers/nvme/nvme-core.mod": "drivers/nvme/core.o\n",
      "fs/inode.o": "",
    });
    const map = await readBuildTree(root);
    expect(map.homeOf("drivers/net/dummy.o")).toEqual({ objname: "dummy", from: "drivers/net/dummy.mod" });
    expect(map.homeOf("fs/fat/inode.o").objname).toBe("fat");
    expect(map.homeOf("fs/fat/dir.o").objname).toBe("fat");
    expect(map.homeOf("drivers/nvme/core.o").objname).toBe("nvme_core");
    expect(map.homeOf("fs/inode.o")).toEqual({ objname: "vmlinux", from: "no *.mod lists it: vmlinux" });
  });

  it("follows modules.order to the .mod files beside each module (old `kernel/….ko` form too)", async () => {
    const root = await tree({
      "modules.order": "drivers/a/alpha.o\nkernel/drivers/b/beta.ko\n",
      "drivers/a/alpha.mod": "drivers/a/alpha-main.o drivers/a/alpha-util.o\n",
      "drivers/b/beta.mod": "drivers/b/beta.o\n",
      "drivers/c/stray.mod": "drivers/c/stray.o\n",
    });
    const map = await readBuildTree(root);
    expect(map.homeOf("drivers/a/alpha-util.o").objname).toBe("alpha");
    expect(map.homeOf("drivers/b/beta.o").objname).toBe("beta");
    // modules.order names the modules: a .mod it does not list is not read
    expect(map.homeOf("drivers/c/stray.o").objname).toBe("vmlinux");
  });
});

describe("Module.symvers", () => {
  it("reads crc, symbol, module, export type (namespace optional)", () => {
    const s = parseSymvers(
      "0x1c2d3e4f\tkfree\tvmlinux\tEXPORT_SYMBOL\t\n0x00000000\tfat_attach\tfs/fat/fat\tEXPORT_SYMBOL_GPL\tFAT\n",
      "Module.symvers",
    );
    expect(s.isExported("kfree")).toBe(true);
    expect(s.entries.get("fat_attach")).toEqual({
      name: "fat_attach",
      module: "fs/fat/fat",
      exportType: "EXPORT_SYMBOL_GPL",
    });
    expect(s.isExported("init_once")).toBe(false);
  });

  it("a line that is not symvers is an input error naming the line", () => {
    expect(() => parseSymvers("0x1\tkfree\tvmlinux\tEXPORT_SYMBOL\nkfree vmlinux\n", "M.symvers")).toThrow(
      InputError,
    );
    expect(() => parseSymvers("0x1\tkfree\tvmlinux\tEXPORT_SYMBOL\nkfree vmlinux\n", "M.symvers")).toThrow(
      /M\.symvers: line 2: not a Module\.symvers line/,
    );
  });
});

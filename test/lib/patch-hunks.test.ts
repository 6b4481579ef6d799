// lib/patch-hunks.ts: the changed lines of a unified diff, each with the function it is in.
import { describe, expect, it } from "vitest";
import { definedFunction, parsePatch, patchFileFor, sourceName } from "../../lib/patch-hunks.js";

const PATCH = `From: a <a@b>
Subject: [PATCH] x

---
diff --git a/fs/inode.c b/fs/inode.c
--- a/fs/inode.c
+++ b/fs/inode.c
@@ -10,6 +10,6 @@ static void init_once(void *foo)
 	struct inode *inode = foo;
 
-	inode_init_once(inode);
+	inode_init_once_fast(inode);
 }
 
 int other(int x)
@@ -40,6 +40,11 @@ int other(int x)
 	return x;
 }
 
+static int added(void)
+{
+	return 1;
+}
+
 int last(void)
 {
 	return 0;
diff --git a/lib/new.c b/lib/new.c
new file mode 100644
--- /dev/null
+++ b/lib/new.c
@@ -0,0 +1,3 @@
+int fresh(void)
+{
+}
\\ No newline at end of file
`;

describe("parsePatch", () => {
  const files = parsePatch("x.patch", PATCH);

  it("names each file by its new path without the b/ prefix", () => {
    expect(files.map((f) => f.path)).toEqual(["fs/inode.c", "lib/new.c"]);
  });

  it("a change below the hunk's first line is in the function git's @@ context names", () => {
    const inode = files[0]!;
    expect(inode.changes[0]).toEqual({
      file: "fs/inode.c",
      func: "init_once",
      line: 12,
      endLine: 12,
      context: "static void init_once(void *foo)",
    });
  });

  it("a definition inside the hunk wins over the context; a closing brace ends the function", () => {
    const added = files[0]!.changes.filter((c) => c.func === "added");
    expect(added.map((c) => [c.line, c.endLine])).toEqual([[43, 46]]);
    expect(files[0]!.changes.map((c) => c.func)).toEqual(["init_once", "added", null]);
  });

  it("a new file: its lines from 1, its function named by its definition", () => {
    expect(files[1]!.changes).toEqual([
      { file: "lib/new.c", func: "fresh", line: 1, endLine: 3, context: "" },
    ]);
  });

  it("a text with no hunk is an input error naming the file", () => {
    expect(() => parsePatch("empty.patch", "just words\n")).toThrow(
      /^empty\.patch: no hunk of a unified diff/,
    );
  });
});

describe("helpers", () => {
  it("definedFunction reads C definitions, not calls or declarations", () => {
    expect(definedFunction("static __attribute__((noinline, noipa)) int helper(int x)")).toBe("helper");
    expect(definedFunction("int sched_tick(int n)")).toBe("sched_tick");
    expect(definedFunction("int sched_tick(int n);")).toBeNull();
    expect(definedFunction("\treturn helper(x);")).toBeNull();
    expect(definedFunction("int sched_ticks;")).toBeNull();
  });

  it("sourceName drops the compiler's suffixes", () => {
    expect(sourceName("helper.isra.0")).toBe("helper");
    expect(sourceName("helper.cold")).toBe("helper");
    expect(sourceName("helper")).toBe("helper");
  });

  it("patchFileFor: the tree path with .c first, else the one file ending in the STT_FILE name", () => {
    const files = parsePatch("x.patch", PATCH);
    expect(patchFileFor(files, "fs/inode.o", "inode.c")?.path).toBe("fs/inode.c");
    expect(patchFileFor(files, "inode.o", "inode.c")?.path).toBe("fs/inode.c");
    expect(patchFileFor(files, "orig.o", "new.c")?.path).toBe("lib/new.c");
    expect(patchFileFor(files, "other.o", "other.c")).toBeNull();
  });
});

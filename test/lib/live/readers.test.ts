// lib/live readers on fixtures/live/root and on text in the kernel's formats (each cited in
// lib/live): every reader gives the data or a reason naming the file, never a thrown error.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  parseFilterFunctions,
  parseFuncDir,
  parseLockdown,
  parseModulesDep,
  parseProcModules,
  readLiveSystem,
} from "../../../lib/live/index.js";
import { LIVE_ROOT, liveCopy, nonRootCopy } from "./live-tree.js";

describe("live readers: formats", () => {
  it("/proc/modules: name, size, state, address (0 = hidden), taint letters", () => {
    const m = parseProcModules(
      "lp_m 12288 1 - Live 0xffffffffa0010000 (OK)\nlpt_target 12288 0 - Live 0x0000000000000000 (O)\next4 1 2 jbd2,mbcache, Loading 0xffffffffc0000000\n",
    );
    expect(m.map((x) => [x.name, x.state, x.address, x.taint])).toEqual([
      ["lp_m", "Live", 0xffffffffa0010000n, "OK"],
      ["lpt_target", "Live", null, "O"],
      ["ext4", "Loading", 0xffffffffc0000000n, ""],
    ]);
  });

  it("livepatch func directories: name and sympos (0 shows as 1), split at the last comma", () => {
    expect(parseFuncDir("type_show,2")).toEqual({ name: "type_show", sympos: 2 });
    expect(parseFuncDir("cmdline_proc_show,1")).toEqual({ name: "cmdline_proc_show", sympos: 1 });
    expect(parseFuncDir("patched")).toBeNull();
    expect(parseFuncDir("x,0")).toBeNull();
  });

  it("filter functions: per object, counts per name, sites sorted when addresses are given", () => {
    const f = parseFilterFunctions(
      "ffffffff81000184 fxl_dup\nffffffff81000144 fxl_dup\nffffffffa0018079 dupfn [lpt_target]\n",
      "x",
      true,
    );
    expect(f.withAddresses).toBe(true);
    expect(f.objects.get("vmlinux")?.names.get("fxl_dup")).toBe(2);
    expect([...(f.objects.get("vmlinux")?.sites ?? [])]).toEqual([0xffffffff81000144n, 0xffffffff81000184n]);
    expect(f.objects.get("lpt_target")?.names.get("dupfn")).toBe(1);
    const plain = parseFilterFunctions("fxl_show\ndupfn [lpt_target]\n", "y", false);
    expect(plain.withAddresses).toBe(false);
    expect(plain.objects.get("vmlinux")?.sites).toBeNull();
  });

  it("modules.dep: module name → file under the release directory ('-' becomes '_')", () => {
    const files = parseModulesDep(
      "kernel/fs/ext4/ext4.ko.zst: kernel/fs/jbd2/jbd2.ko.zst\nextra/my-mod.ko:\n",
      "lib/modules/6.1.0",
    );
    expect(files.get("ext4")).toBe("lib/modules/6.1.0/kernel/fs/ext4/ext4.ko.zst");
    expect(files.get("my_mod")).toBe("lib/modules/6.1.0/extra/my-mod.ko");
  });

  it("lockdown: the bracketed level", () => {
    expect(parseLockdown("none [integrity] confidentiality")).toBe("integrity");
    expect(parseLockdown("[none] integrity confidentiality")).toBe("none");
    expect(parseLockdown("garbage")).toBeNull();
  });
});

describe("live readers: a system under a root", () => {
  it("reads every file of fixtures/live/root", async () => {
    const s = await readLiveSystem(LIVE_ROOT);
    expect(s.release).toMatchObject({ ok: true, value: "6.12.117" });
    expect(s.kptrRestrict).toMatchObject({ ok: true, value: 1 });
    expect(s.modules.ok && s.modules.value.map((m) => m.name)).toEqual(["lp_old"]);
    expect(s.kallsyms.ok && s.kallsyms.value.objects.get("vmlinux")?.count).toBe(9);
    expect(s.kallsyms.ok && s.kallsyms.value.addressesHidden).toBe(false);
    const lp = s.livepatches.ok ? s.livepatches.value : [];
    expect(lp.map((p) => [p.name, p.enabled, p.transition, p.replace])).toEqual([
      ["lp_old", true, false, false],
    ]);
    expect(
      lp[0]!.objects.map((o) => [o.objname, o.patched, o.funcs.map((f) => `${f.name},${f.sysfsSympos}`)]),
    ).toEqual([["vmlinux", true, ["fxl_fixed,1", "fxl_show,1"]]]);
    expect(
      s.filters.ok && s.filters.value.path.endsWith("sys/kernel/tracing/available_filter_functions_addrs"),
    ).toBe(true);
    expect(s.sigEnforce).toMatchObject({ ok: true, value: false });
    expect(s.lockdown).toMatchObject({ ok: false, missing: true });
    expect(s.modulesDir?.ok && [...s.modulesDir.value.files.keys()]).toEqual(["lp_old", "fxl_mod"]);
    expect(s.config.ok && s.config.value.get("MODULE_UNLOAD")).toBe("y");
    expect(s.sysKernel).toBe(true);
    expect(s.root.filesRead).toContain("proc/kallsyms");
  });

  it("a missing root: every read fails with its path and reason, nothing throws", async () => {
    const s = await readLiveSystem("/nonexistent-klpmatch-root");
    expect(s.kallsyms).toMatchObject({
      ok: false,
      path: "/nonexistent-klpmatch-root/proc/kallsyms",
      reason: "no such file or directory",
    });
    expect(s.livepatches.ok).toBe(false);
    expect(s.modulesDir).toBeNull();
    expect(s.sysKernel).toBe(false);
  });

  it("no tracefs: tried at /sys/kernel/tracing and /sys/kernel/debug/tracing, and says how to mount it", async () => {
    const s = await readLiveSystem(liveCopy((at) => rmSync(at("sys/kernel/tracing"), { recursive: true })));
    expect(s.filters.ok).toBe(false);
    const r = s.filters as { path: string; reason: string };
    expect(r.path).toMatch(/sys\/kernel\/tracing\/available_filter_functions$/);
    expect(r.reason).toContain("sys/kernel/debug/tracing/available_filter_functions");
    expect(r.reason).toContain("mount -t tracefs");
  });

  it("older systems: tracefs under debugfs, names only", async () => {
    const root = liveCopy((at) => {
      rmSync(at("sys/kernel/tracing"), { recursive: true });
    });
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(root, "sys/kernel/debug/tracing"), { recursive: true });
    writeFileSync(join(root, "sys/kernel/debug/tracing/available_filter_functions"), "fxl_show\n");
    const s = await readLiveSystem(root);
    expect(
      s.filters.ok && [s.filters.value.withAddresses, s.filters.value.path.includes("debug/tracing")],
    ).toEqual([false, true]);
  });

  it("a non-root reading: zero addresses are hidden ones, the order is kept", async () => {
    const s = await readLiveSystem(nonRootCopy());
    expect(s.kallsyms.ok && s.kallsyms.value.addressesHidden).toBe(true);
    expect(s.kallsyms.ok && s.kallsyms.value.objects.get("vmlinux")?.nameAt(3)).toBe("fxl_dup");
    expect(s.modules.ok && s.modules.value[0]!.address).toBeNull();
  });

  it("a malformed kallsyms is a failed read naming the file and line, not an exception", async () => {
    const root = liveCopy((at) => writeFileSync(at("proc/kallsyms"), "not a symbol line\n"));
    const s = await readLiveSystem(root);
    expect(s.kallsyms.ok).toBe(false);
    expect((s.kallsyms as { reason: string }).reason).toMatch(/line 1/);
  });
});

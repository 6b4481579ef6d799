// verifyLive and snapshotLive on fixtures/live/root and copies of it in other states: the report
// verify writes, with what the live system adds.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyFlags } from "../../lib/report/verify-report.js";
import { verifyLive } from "../../pipeline/live.js";
import { snapshotLive } from "../../pipeline/live-snapshot.js";
import { LIVE, LIVE_ROOT, liveCopy, nonRootCopy } from "../lib/live/live-tree.js";

const ko = (name: string) => join(LIVE, `${name}.ko`);
const codes = (r: Awaited<ReturnType<typeof verifyLive>>) =>
  verifyFlags(r).map((f) => `${f.severity} ${f.code}`);

describe("verify --live on fixtures/live/root", () => {
  it("stacks on the loaded patch and predicts ftrace's refusal from the filter list", async () => {
    const r = await verifyLive({ patch: ko("lp_new"), root: LIVE_ROOT });
    expect(r.targets.map((t) => [t.oldName, t.outcome])).toEqual([
      ["fxl_show", "resolved"],
      ["fxl_dup", "resolved"],
      ["fxl_notrace", "resolved"],
    ]);
    expect(r.targets[0]!.flags.map((f) => f.code)).toEqual(["STACKED"]);
    expect(r.targets[2]!.flags.map((f) => f.code)).toEqual(["FTRACE_NOT_LISTED"]);
    expect(r.patch).toMatchObject({
      result: "refused",
      stage: "ftrace",
      kernelMessage: "failed to find location for function 'fxl_notrace'",
    });
    expect(r.rule.name).toBe("exact");
    expect(r.notes).toContain(
      "lookup rule from the running release 6.12.117 (" + join(LIVE_ROOT, "proc/sys/kernel/osrelease") + ")",
    );
    expect(r.inputs.map((i) => i.role)).toContain("live");
    expect(codes(r)).toContain("info MODULE_UNSIGNED");
  });

  it("an atomic replace reverting lp_old's fxl_fixed: an error, info with allowRevert", async () => {
    const r = await verifyLive({ patch: ko("lp_cumulative"), root: LIVE_ROOT });
    const revert = r.flags.find((f) => f.code === "REPLACE_REVERTS");
    expect(revert?.severity).toBe("error");
    expect(revert?.message).toContain("lp_old's vmlinux:fxl_fixed,1");
    // lp_old.ko (modules.dep) tells its fxl_show used old_sympos 0, as lp_cumulative does: no sympos finding
    expect(codes(r)).not.toContain("warning SYMPOS_DIFFERS_LOADED");
    expect(r.inputs.find((i) => i.role === "loaded-patch")?.path).toContain("extra/lp_old.ko");
    expect(r.patch.result).toBe("accepted");
    const allowed = await verifyLive({ patch: ko("lp_cumulative"), root: LIVE_ROOT, allowRevert: true });
    expect(allowed.flags.find((f) => f.code === "REPLACE_REVERTS")?.severity).toBe("info");
    expect(allowed.summary.errors).toBe(0);
  });

  it("sympos 1 where the loaded patch used 0, under replace: a warning, since kernels differ (upstream 139560e8b973)", async () => {
    const r = await verifyLive({ patch: ko("lp_sympos1"), root: LIVE_ROOT });
    const flag = r.targets[0]!.flags.find((f) => f.code === "SYMPOS_DIFFERS_LOADED");
    expect(flag?.severity).toBe("warning");
    expect(flag?.message).toContain(
      "sysfs: cannot create duplicate filename '/kernel/livepatch/lp_sympos1/vmlinux/fxl_show,1'",
    );
    // no refusal is predicted from it: a kernel with the fix loads the patch
    expect(r.patch.kernelMessage ?? "").not.toContain("duplicate filename");
  });

  it("a not-yet-loaded module target: checked against its .ko from modules.dep, said so", async () => {
    const r = await verifyLive({ patch: ko("lp_modtarget"), root: LIVE_ROOT });
    expect(r.targets[0]).toMatchObject({ objname: "fxl_mod", outcome: "not-loaded" });
    expect(r.targets[0]!.onLoad).toMatchObject({ outcome: "resolved" });
    expect(r.targets[0]!.onLoad!.moduleFile).toContain("lib/modules/6.12.117/extra/fxl_mod.ko");
    expect(r.notes.some((n) => n.includes("from modules.dep") && n.includes("init-time symbol list"))).toBe(
      true,
    );
    expect(r.patch).toMatchObject({ result: "accepted", deferred: ["fxl_mod"] });
    expect(r.patch.whenLoaded).toEqual([{ objname: "fxl_mod", kernelMessage: null, at: null }]);
  });

  it("a vermagic mismatch: refused by insmod, before anything else", async () => {
    const r = await verifyLive({ patch: ko("lp_badmagic"), root: LIVE_ROOT });
    expect(r.patch).toMatchObject({
      result: "refused",
      stage: "load",
      kernelMessage: "lp_badmagic: version magic '6.1.0 SMP mod_unload ' should be '6.12.117 mod_unload '",
    });
    expect(r.flags.find((f) => f.code === "VERMAGIC_MISMATCH")?.message).toContain(
      "release: module 6.1.0, kernel 6.12.117; SMP: module yes, kernel no",
    );
  });

  it("the loaded patch itself again: a module of that name is loaded, EEXIST", async () => {
    const r = await verifyLive({ patch: ko("lp_old"), root: LIVE_ROOT });
    expect(codes(r)).toContain("error ALREADY_LOADED");
    expect(r.patch).toMatchObject({ result: "refused", stage: "load" });
    expect(r.patch.kernelMessage).toContain("EEXIST");
  });

  it("a transition in progress: refused with -EBUSY", async () => {
    const root = liveCopy((at) => writeFileSync(at("sys/kernel/livepatch/lp_old/transition"), "1\n"));
    const r = await verifyLive({ patch: ko("lp_cumulative"), root, allowRevert: true });
    expect(codes(r)).toContain("error TRANSITION_IN_PROGRESS");
    expect(r.patch).toMatchObject({ result: "refused", stage: "resolve" });
    expect(r.patch.kernelMessage).toContain("-EBUSY");
  });

  it("a non-root reading: zero addresses, no tracefs — positions checked, what is not is said", async () => {
    const r = await verifyLive({ patch: ko("lp_new"), root: nonRootCopy() });
    expect(r.kernel.addressesHidden).toBe(true);
    expect(r.targets.map((t) => [t.oldName, t.outcome, t.symbol?.position])).toEqual([
      ["fxl_show", "resolved", 1],
      ["fxl_dup", "resolved", 3],
      ["fxl_notrace", "resolved", 4],
    ]);
    expect(codes(r)).toEqual(expect.arrayContaining(["info HIDDEN_ADDRESSES", "warning LIVE_UNREADABLE"]));
    const unreadable = r.flags.find((f) => f.code === "LIVE_UNREADABLE")!;
    expect(unreadable.message).toMatch(/sys\/kernel\/tracing\/available_filter_functions: no such file/);
    expect(unreadable.message).toContain("not read from the filter-function list");
    expect(r.notes.some((n) => n.includes("zero addresses") && n.includes("not checked: addresses"))).toBe(
      true,
    );
    // stacking still works by position
    expect(r.targets[0]!.flags.map((f) => f.code)).toEqual(["STACKED"]);
  });

  it("no /sys/kernel/livepatch under a sysfs: the kernel has no livepatch support", async () => {
    const root = liveCopy((at) => rmSync(at("sys/kernel/livepatch"), { recursive: true }));
    const r = await verifyLive({ patch: ko("lp_new"), root });
    expect(codes(r)).toContain("error LIVEPATCH_UNSUPPORTED");
    expect(r.patch.kernelMessage).toBe("lp_new: Unknown symbol klp_enable_patch (err -2)");
  });

  it("no kallsyms: a one-line input error naming the file", async () => {
    await expect(verifyLive({ patch: ko("lp_new"), root: "/nonexistent-klpmatch-root" })).rejects.toThrow(
      "/nonexistent-klpmatch-root/proc/kallsyms: no such file or directory: verify --live needs the kernel's symbols",
    );
  });
});

describe("snapshot", () => {
  it("copies what --live reads, and verify --live --root reads the copy back the same", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "klpmatch-snap-")), "snap");
    const s = await snapshotLive(LIVE_ROOT, out, ["fxl_mod"]);
    expect(s.files).toEqual(
      expect.arrayContaining([
        "proc/kallsyms",
        "proc/sys/kernel/osrelease",
        "proc/modules",
        "sys/kernel/livepatch/lp_old/enabled",
        "sys/kernel/tracing/available_filter_functions_addrs",
        "lib/modules/6.12.117/modules.dep",
        "lib/modules/6.12.117/extra/fxl_mod.ko",
        "lib/modules/6.12.117/extra/lp_old.ko",
      ]),
    );
    expect(readdirSync(join(out, "sys/kernel/livepatch/lp_old/vmlinux")).sort()).toEqual([
      "fxl_fixed,1",
      "fxl_show,1",
      "patched",
    ]);
    expect(s.missing.some((m) => m.includes("lockdown"))).toBe(true);
    for (const name of ["lp_new", "lp_modtarget", "lp_cumulative"]) {
      const a = await verifyLive({ patch: ko(name), root: LIVE_ROOT });
      const b = await verifyLive({ patch: ko(name), root: out });
      const strip = (r: typeof a, dir: string) =>
        JSON.stringify({ ...r, inputs: [] }).replaceAll(dir, "ROOT");
      expect(strip(b, out), name).toBe(strip(a, LIVE_ROOT));
    }
    await expect(snapshotLive(LIVE_ROOT, out)).rejects.toThrow("not empty");
  });
});

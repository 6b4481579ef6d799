// verify --live on the real captured systems of ../shared/corpus/live (a booted 6.12.117 with lp_a
// and lp_b stacked and lp_m waiting for lpt_target; the same after lpt_target loaded; the state
// before lp_c, lp_bad_noinstr and lp_bad_data were loaded) and its built modules: each check gives
// what that system shows and what its kernel did (boot1/kmsg-by-step.txt, boot1/README.md).
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyFlags } from "../../lib/report/verify-report.js";
import { verifyLive } from "../../pipeline/live.js";
import { corpusPath } from "../corpus.js";

const LIVE = corpusPath("live");
const ko = (name: string) => join(LIVE, "modules", `${name}.ko`);
const LPT = join(LIVE, "modules", "lpt_target", "lpt_target.ko");
const BOOT1_KALLSYMS = join(LIVE, "boot1", "root", "proc", "kallsyms");

/**
 * A snapshot's root/ as the guest had it. The corpus holds its regular files only: the livepatch
 * func entries (empty directories, kernel/livepatch/core.c) are listed in
 * find-sys-kernel-livepatch.txt and recreated here. `config`: the running kernel's config
 * (live/kernel-config, the build's .config) as /boot/config-<release>.
 */
function snapshotRoot(name: string, edit: (root: string) => void = () => {}): string {
  const root = join(mkdtempSync(join(tmpdir(), `klpmatch-corpus-${name}-`)), "root");
  cpSync(join(LIVE, name, "root"), root, { recursive: true });
  for (const line of readFileSync(join(LIVE, name, "find-sys-kernel-livepatch.txt"), "utf8").split("\n")) {
    if (/,\d+$/.test(line)) mkdirSync(join(root, line), { recursive: true });
  }
  edit(root);
  return root;
}
const withConfig = (root: string) => {
  mkdirSync(join(root, "boot"), { recursive: true });
  cpSync(join(LIVE, "kernel-config"), join(root, "boot", "config-6.12.117"));
};
const codes = (r: Awaited<ReturnType<typeof verifyLive>>) =>
  verifyFlags(r).map((f) => `${f.severity} ${f.code}`);

describe("live corpus: boot 2 before lp_c (lp_a, lp_b loaded; a light snapshot without kallsyms)", () => {
  const root = snapshotRoot("boot2-before-lp_c");
  // the same build booted nokaslr: boot 1's kallsyms has byte-identical vmlinux lines (corpus README)
  const base = { root, kallsyms: BOOT1_KALLSYMS };

  it("lp_c (replace) reverts lp_a's and lp_b's type_show,2 and lp_b's uptime_proc_show", async () => {
    const r = await verifyLive({ ...base, patch: ko("lp_c") });
    const revert = r.flags.find((f) => f.code === "REPLACE_REVERTS")!;
    expect(revert.severity).toBe("error");
    expect(revert.message).toContain(
      "does not patch lp_a's vmlinux:type_show,2, lp_b's vmlinux:type_show,2, lp_b's vmlinux:uptime_proc_show,1:",
    );
    expect(r.targets[0]!.flags.map((f) => f.code)).toEqual(["STACKED", "SYMPOS_DIFFERS_LOADED"]);
    expect(r.patch.result).toBe("accepted");
    // what the light snapshot lacks is named, with the checks skipped
    const unreadable = r.flags.filter((f) => f.code === "LIVE_UNREADABLE").map((f) => f.message);
    expect(unreadable.some((m) => m.includes("proc/sys/kernel/osrelease: no such file or directory"))).toBe(
      true,
    );
    expect(unreadable.some((m) => m.includes("available_filter_functions: no such file"))).toBe(true);
  });

  it("lp_c with the loaded patches' .ko files: their old_sympos 0 is lp_c's, no sympos finding; --allow-revert", async () => {
    const r = await verifyLive({
      ...base,
      patch: ko("lp_c"),
      loadedPatchFiles: [ko("lp_a"), ko("lp_b")],
      allowRevert: true,
    });
    expect(codes(r)).not.toContain("warning SYMPOS_DIFFERS_LOADED");
    expect(r.flags.find((f) => f.code === "REPLACE_REVERTS")?.severity).toBe("info");
  });

  it("lp_bad_noinstr and lp_bad_data: refused at ftrace registration", async () => {
    for (const [name, fn] of [
      ["lp_bad_noinstr", "exc_page_fault"],
      ["lp_bad_data", "saved_command_line"],
    ] as const) {
      const r = await verifyLive({ ...base, patch: ko(name) });
      expect(r.patch, name).toMatchObject({
        result: "refused",
        stage: "ftrace",
        kernelMessage: `failed to find location for function '${fn}'`,
      });
    }
  });

  it("lp_m in this state (the one it was loaded in, boot 1): deferred, and its target passes when lpt_target loads", async () => {
    const r = await verifyLive({ ...base, patch: ko("lp_m"), moduleFiles: [LPT] });
    expect(r.targets[0]).toMatchObject({ objname: "lpt_target", outcome: "not-loaded" });
    expect(r.targets[0]!.onLoad).toMatchObject({ outcome: "resolved", kernelMessage: null });
    expect(r.patch).toMatchObject({ result: "accepted", deferred: ["lpt_target"] });
    // the kernel: "applying patch 'lp_m' to loading module 'lpt_target'", init printed the patched 1294
    expect(r.patch.whenLoaded).toEqual([{ objname: "lpt_target", kernelMessage: null, at: null }]);
    expect(readFileSync(join(LIVE, "boot1", "kmsg-by-step.txt"), "utf8")).toContain(
      "[lpt_target] livepatch: applying patch 'lp_m' to loading module 'lpt_target'",
    );
  });
});

describe("live corpus: boot 1 (lp_a, lp_b, lp_m loaded; lpt_target not)", () => {
  const root = snapshotRoot("boot1", withConfig);

  it("reads the system: three patches, every func entry, the filter list with addresses", async () => {
    const r = await verifyLive({ root, patch: ko("lp_bad_noinstr") });
    const system = r.flags.find((f) => f.code === "LIVE_SYSTEM")!.message;
    expect(system).toContain("release 6.12.117");
    expect(system).toContain("livepatches lp_a: 2 func(s), lp_b: 2 func(s), lp_m: 1 func(s)");
    expect(system).toContain("available_filter_functions_addrs");
    // vermagic against the running kernel's config: "6.12.117 mod_unload " (no SMP, no preempt, no modversions)
    expect(r.notes).toContain(
      `vermagic '6.12.117 mod_unload' matches the running kernel's (${join(root, "boot/config-6.12.117")})`,
    );
  });

  it("lp_bad_noinstr and lp_bad_data: the filter list has no record for them", async () => {
    for (const [name, fn] of [
      ["lp_bad_noinstr", "exc_page_fault"],
      ["lp_bad_data", "saved_command_line"],
    ] as const) {
      const r = await verifyLive({ root, patch: ko(name) });
      expect(
        r.targets[0]!.flags.map((f) => f.code),
        name,
      ).toContain("FTRACE_NOT_LISTED");
      expect(r.patch.kernelMessage).toBe(`failed to find location for function '${fn}'`);
    }
  });

  it("lp_a again: stacked on itself and on lp_b, and refused since lp_a is loaded", async () => {
    const r = await verifyLive({ root, patch: ko("lp_a") });
    expect(codes(r)).toContain("error ALREADY_LOADED");
    const typeShow = r.targets.find((t) => t.oldName === "type_show")!;
    expect(typeShow.address).toBe("0xffffffff810526c9");
    expect(typeShow.flags.find((f) => f.code === "STACKED")?.message).toContain(
      "already patched by lp_a's vmlinux:type_show,2, lp_b's vmlinux:type_show,2",
    );
  });

  it("lp_c here also reverts lp_m's lpt_target:dupfn,2 (a deferred object of a loaded patch)", async () => {
    const r = await verifyLive({ root, patch: ko("lp_c") });
    expect(r.flags.find((f) => f.code === "REPLACE_REVERTS")!.message).toContain("lp_m's lpt_target:dupfn,2");
  });

  it("read as uid 65534: zero addresses, the same positions", async () => {
    const hidden = snapshotRoot("boot1", (dir) => {
      cpSync(join(LIVE, "boot1", "nonroot-kallsyms.txt"), join(dir, "proc", "kallsyms"));
      cpSync(join(LIVE, "boot1", "nonroot-modules.txt"), join(dir, "proc", "modules"));
    });
    const a = await verifyLive({ root, patch: ko("lp_b") });
    const b = await verifyLive({ root: hidden, patch: ko("lp_b") });
    expect(b.kernel.addressesHidden).toBe(true);
    expect(b.targets.map((t) => [t.oldName, t.symbol?.position, t.symbol?.line, t.address])).toEqual(
      a.targets.map((t) => [t.oldName, t.symbol?.position, t.symbol?.line, null]),
    );
    expect(b.notes.some((n) => n.includes("shows zero addresses"))).toBe(true);
  });
});

describe("live corpus: boot 1 after lpt_target loaded", () => {
  const root = snapshotRoot("boot1-lpt_target-loaded");

  it("lp_m's target now resolves to the dupfn the kernel patched, with its ftrace record", async () => {
    const r = await verifyLive({ root, patch: ko("lp_m") });
    const t = r.targets[0]!;
    expect([t.outcome, t.address]).toEqual(["resolved", "0xffffffffa0018079"]);
    expect(t.flags.map((f) => f.code)).toEqual(["STACKED"]);
    expect(t.flags[0]!.message).toContain("lp_m's lpt_target:dupfn,2");
    expect(readFileSync(join(root, "sys/kernel/tracing/enabled_functions"), "utf8")).toContain(
      "dupfn [lpt_target]",
    );
    expect(codes(r)).toContain("error ALREADY_LOADED");
  });

  it("lpt_target.ko is the module that is loaded: its symbols match the loaded lpt_target's", async () => {
    const r = await verifyLive({ root, patch: ko("lp_m"), moduleFiles: [LPT] });
    expect(codes(r)).not.toContain("warning MODULE_FILE_MISMATCH");
    expect(r.targets[0]!.kernelMessage).toBeNull();
  });
});

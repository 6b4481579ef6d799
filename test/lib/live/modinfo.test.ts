// lib/livepatch/modinfo: vermagic words (include/linux/vermagic.h), same_magic (kernel/module/version.c),
// the signature trailer (include/linux/module_signature.h) and klp_patch.replace, on built objects.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElf, readElfFile } from "../../../elf/index.js";
import {
  klpPatchReplace,
  moduleIdentity,
  parseVermagic,
  sameMagic,
  vermagicDifferences,
  vermagicFromConfig,
} from "../../../lib/livepatch/modinfo.js";
import { FIXTURES } from "../../paths.js";
import { LIVE } from "./live-tree.js";

describe("vermagic", () => {
  it("splits the words", () => {
    const v = parseVermagic("6.1.0-18-amd64 SMP preempt mod_unload modversions ");
    expect([v.release, v.smp, v.preempt, v.modUnload, v.modversions, v.other]).toEqual([
      "6.1.0-18-amd64",
      true,
      "preempt",
      true,
      true,
      [],
    ]);
    expect(parseVermagic("6.12.117 mod_unload ").smp).toBe(false);
  });

  it("is derived from the kernel's config word by word", () => {
    const config = new Map([
      ["SMP", "y"],
      ["PREEMPT_BUILD", "y"],
      ["MODULE_UNLOAD", "y"],
    ]);
    expect(vermagicFromConfig("6.8.0", config)).toBe("6.8.0 SMP preempt mod_unload ");
    expect(vermagicFromConfig("6.12.117", new Map([["MODULE_UNLOAD", "y"]]))).toBe("6.12.117 mod_unload ");
    expect(vermagicFromConfig("6.12.0", new Map([["PREEMPT_RT", "y"]]))).toBe("6.12.0 preempt_rt ");
  });

  it("compares as same_magic does: the release is skipped when the module has symbol CRCs", () => {
    expect(sameMagic("6.1.0 SMP mod_unload ", "6.1.1 SMP mod_unload ", false)).toBe(false);
    expect(sameMagic("6.1.0 SMP mod_unload modversions ", "6.1.1 SMP mod_unload modversions ", true)).toBe(
      true,
    );
    expect(sameMagic("6.1.0 mod_unload ", "6.1.0 SMP mod_unload ", true)).toBe(false);
    expect(
      vermagicDifferences(parseVermagic("6.1.0 SMP mod_unload "), parseVermagic("6.12.117 mod_unload ")),
    ).toEqual(["release: module 6.1.0, kernel 6.12.117", "SMP: module yes, kernel no"]);
  });
});

describe("module identity", () => {
  it("reads .modinfo and finds no signature on an unsigned module", async () => {
    const id = moduleIdentity(await readElfFile(join(LIVE, "lp_badmagic.ko")));
    expect(id).toMatchObject({
      name: "lp_badmagic",
      vermagic: "6.1.0 SMP mod_unload ",
      livepatch: true,
      signed: false,
      hasCrcs: false,
    });
  });

  it("finds the '~Module signature appended~' trailer of a signed module", async () => {
    expect(moduleIdentity(await readElfFile(join(FIXTURES, "elf", "sample-signed.ko"))).signed).toBe(true);
  });

  it("reads klp_patch.replace of the static klp_patch", async () => {
    expect(klpPatchReplace(await readElfFile(join(LIVE, "lp_cumulative.ko")))).toEqual([true]);
    expect(klpPatchReplace(await readElfFile(join(LIVE, "lp_new.ko")))).toEqual([false]);
  });

  it("reads replace where a 5.1-5.4 klp_patch has it, before `states` existed, when the vermagic says 5.4", async () => {
    const bytes = readFileSync(join(LIVE, "lp_cumulative.ko"));
    const at = bytes.indexOf("vermagic=6.12.117");
    expect(at).toBeGreaterThan(0);
    bytes.write("vermagic=5.04.117", at, "latin1");
    // the 6.12 layout's field 2 is `states`, NULL in this module: read as the 5.4 `replace`, false
    expect(klpPatchReplace(readElf(bytes, { path: "lp_cumulative-5.4.ko" }))).toEqual([false]);
    // a target module has no klp_patch
    expect(klpPatchReplace(await readElfFile(join(LIVE, "fxl_mod.ko")))).toEqual([]);
  });
});

// A schema-valid match report around the few fields a test cares about: what `match --format json`
// writes for those functions and references, every other field at a neutral value.

type Partial = Record<string, unknown>;

function fullFunction(fn: Partial): Partial {
  return {
    name: "f",
    patchedName: null,
    status: "changed",
    size: "0x10",
    bind: "LOCAL",
    reasons: [],
    decision: fn.target === null ? "ambiguous" : "unique",
    target: null,
    candidates: [],
    evidence: [],
    flags: [],
    ...fn,
    ...(fn.target ? { target: { address: null, ...(fn.target as Partial) } } : {}),
  };
}

function fullObject(obj: Partial): Partial {
  return {
    orig: "orig/a.o",
    patched: "patched/a.o",
    objname: "vmlinux",
    objnameFrom: "test",
    verdict: "matched",
    diffVerdict: "patchable",
    flags: [],
    ...obj,
    functions: ((obj.functions ?? []) as Partial[]).map(fullFunction),
  };
}

function fullReference(ref: Partial): Partial {
  return {
    name: ref.oldName,
    objname: "vmlinux",
    oldSympos: 0,
    address: null,
    klpSym: null,
    scope: "local",
    usedBy: [],
    decision: "unique",
    candidates: [],
    evidence: [],
    flags: [],
    ...ref,
  };
}

/** `partial.objects[].functions[]` and `partial.references[]` completed into a whole match report. */
export function fullReport(partial: { objects?: Partial[]; references?: Partial[] }): Partial {
  return {
    schemaVersion: 1,
    tool: { name: "klpmatch", version: "0.0.0" },
    inputs: [],
    kernel: { source: "kallsyms", path: "kallsyms.txt", addressesHidden: false, llvmNames: false },
    rule: { name: "exact", why: "test", assumed: false },
    objects: (partial.objects ?? []).map(fullObject),
    references: (partial.references ?? []).map(fullReference),
    flags: [],
    unpaired: { onlyOrig: [], onlyPatched: [] },
    summary: {
      objects: 0,
      functions: 0,
      decided: 0,
      ambiguous: 0,
      notFound: 0,
      references: 0,
      errors: 0,
      warnings: 0,
      infos: 0,
      worst: null,
    },
  };
}

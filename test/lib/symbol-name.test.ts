import { expect, test } from "vitest";
import {
  cloneBase,
  coldParent,
  correlationKey,
  cutAtFirstDot,
  isSpecialStatic,
  isStubSymbol,
  llvmHash,
  stripLlvmSuffix,
  stubTarget,
} from "../../lib/symbol-name.js";

test("ThinLTO hash and its removal", () => {
  expect(llvmHash("show_cpuinfo.llvm.5129371908736213337")).toBe("5129371908736213337");
  expect(llvmHash("show_cpuinfo")).toBeNull();
  expect(stripLlvmSuffix("helper.llvm.123")).toBe("helper");
  // clang static locals keep their `.var` part: only `.llvm.` is removed
  expect(stripLlvmSuffix("bpf_verifier_vlog._entry")).toBe("bpf_verifier_vlog._entry");
  expect(cutAtFirstDot("bpf_verifier_vlog._entry")).toBe("bpf_verifier_vlog");
});

test("stubs, cold and part children", () => {
  expect(isStubSymbol("__pfx_init_once")).toBe(true);
  expect(stubTarget("__cfi_foo")).toBe("foo");
  expect(isStubSymbol("__pfx_")).toBe(false);
  expect(coldParent("foo.cold")).toBe("foo");
  expect(coldParent("foo.part.0.cold")).toBe("foo.part.0");
  expect(coldParent("foo.cold.12")).toBe("foo");
  expect(coldParent("cold_start")).toBeNull();
});

test("clone bases and correlation keys", () => {
  expect(cloneBase("a.constprop.0.isra.0")).toBe("a");
  expect(cloneBase("__ep_eventpoll_poll.isra.0")).toBe("__ep_eventpoll_poll");
  expect(correlationKey("foo.isra.2")).toBe(correlationKey("foo.isra.5"));
  expect(correlationKey("__func__.50450")).toBe(correlationKey("__func__.50453"));
  expect(correlationKey("helper.llvm.1")).toBe(correlationKey("helper.llvm.2"));
  expect(correlationKey("__UNIQUE_ID_ddebug123")).toBe(correlationKey("__UNIQUE_ID_ddebug456"));
  expect(correlationKey("foo")).not.toBe(correlationKey("bar"));
});

test("special statics", () => {
  expect(isSpecialStatic("__key.12")).toBe(true);
  expect(isSpecialStatic("__already_done.3")).toBe(true);
  expect(isSpecialStatic("bpf_verifier_vlog._entry")).toBe(true);
  expect(isSpecialStatic(".LC0")).toBe(true);
  expect(isSpecialStatic("counter.1")).toBe(false);
  expect(isSpecialStatic("init_once")).toBe(false);
});

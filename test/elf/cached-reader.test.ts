import { join } from "node:path";
import { expect, it } from "vitest";
import { cachedElfReader } from "../../elf/index.js";
import { FIXTURES } from "../paths.js";

it("cachedElfReader parses each path once and keeps paths apart", async () => {
  const read = cachedElfReader();
  const a = join(FIXTURES, "elf", "sample-x86_64.o");
  const b = join(FIXTURES, "elf", "sample-s390x.o");
  const first = await read(a);
  expect(await read(a)).toBe(first);
  const other = await read(b);
  expect(other).not.toBe(first);
  expect(other.header.machineName).not.toBe(first.header.machineName);
  await expect(cachedElfReader()(a)).resolves.not.toBe(first);
});

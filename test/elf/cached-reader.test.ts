import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { cachedElfReader } from "../../elf/index.js";
import { FIXTURES } from "../paths.js";

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

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

it("keeps each file's bytes as on disk: a compressed module's before decompression", async () => {
  const read = cachedElfReader();
  const gz = join(FIXTURES, "elf", "sample-signed.ko.gz");
  expect(read.fileBytes(gz)).toBeUndefined();
  const file = await read(gz);
  const onDisk = readFileSync(gz);
  expect(sha256(await read.fileBytes(gz)!)).toBe(sha256(onDisk));
  // the ELF is the decompressed data, which the report must not hash in its place
  expect(sha256(file.bytes)).not.toBe(sha256(onDisk));
});

it("a file that can't be read fails through the parse, and leaves no unhandled rejection", async () => {
  const read = cachedElfReader();
  const missing = join(FIXTURES, "elf", "no-such-file.o");
  await expect(read(missing)).rejects.toMatchObject({ code: "ENOENT", path: missing });
  await expect(read.fileBytes(missing)!).rejects.toMatchObject({ code: "ENOENT" });
});

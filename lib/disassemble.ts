// Disassembling one function with the objdump that can read the object: GNU objdump for the host
// architecture, llvm-objdump (every LLVM target) for foreign ones. Used by `klpmatch diff --explain`.

export type Disassembly =
  | { readonly ok: true; readonly tool: string; readonly lines: readonly string[] }
  | { readonly ok: false; readonly reason: string };

interface Tool {
  readonly command: string;
  readonly args: (symbol: string, path: string) => string[];
}

const GNU_OBJDUMP: Tool = {
  command: "objdump",
  args: (symbol, path) => ["-d", "-r", "--no-show-raw-insn", `--disassemble=${symbol}`, path],
};

function llvmObjdump(command: string): Tool {
  return {
    command,
    args: (symbol, path) => ["-d", "-r", "--no-show-raw-insn", `--disassemble-symbols=${symbol}`, path],
  };
}

const TOOLS: readonly Tool[] = [GNU_OBJDUMP, llvmObjdump("llvm-objdump"), llvmObjdump("llvm-objdump-19")];

/**
 * The function's instructions and relocations, one per line, without addresses (so a shifted
 * function still lines up in a diff) and with ThinLTO hashes masked.
 */
async function disassembleFunction(path: string, symbol: string): Promise<Disassembly> {
  const tried: string[] = [];
  // execa is loaded when a disassembly is asked for: loading it costs every other run ~45 ms
  const { execa } = await import("execa");
  for (const tool of TOOLS) {
    let result: { stdout: string; stderr: string; exitCode?: number; failed: boolean; code?: string };
    try {
      result = await execa(tool.command, tool.args(symbol, path), { reject: false, timeout: 30_000 });
    } catch (error) {
      tried.push(`${tool.command}: ${(error as Error).message}`);
      continue;
    }
    if (result.code === "ENOENT" || (result.failed && result.exitCode === undefined)) {
      tried.push(`${tool.command}: not installed`);
      continue;
    }
    // GNU objdump built for one target says so on stderr and prints nothing useful.
    if (
      result.exitCode !== 0 ||
      /can't disassemble|UNKNOWN|unknown architecture|not supported/i.test(result.stderr)
    ) {
      tried.push(`${tool.command}: ${firstLine(result.stderr) || `exit ${result.exitCode}`}`);
      continue;
    }
    const lines = functionLines(result.stdout, symbol);
    if (lines.length === 0) {
      tried.push(`${tool.command}: no instructions for ${symbol}`);
      continue;
    }
    return { ok: true, tool: tool.command, lines };
  }
  return { ok: false, reason: `disassembly unavailable (${tried.join("; ")})` };
}

/**
 * Several functions of one object (a function and its split parts) one after the other, each
 * under a `<name>:` line; null when no name is given, the first failure when one can't be read.
 */
export async function disassembleFunctions(
  path: string,
  names: readonly (string | null)[],
): Promise<Disassembly | null> {
  const wanted = names.filter((n): n is string => n !== null);
  if (wanted.length === 0) return null;
  const lines: string[] = [];
  let tool = "";
  for (const name of wanted) {
    const d = await disassembleFunction(path, name);
    if (!d.ok) return d;
    tool = d.tool;
    lines.push(maskHashes(`<${name}>:`), ...d.lines);
  }
  return { ok: true, tool, lines };
}

function firstLine(text: string): string {
  return (
    text
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? ""
  );
}

/** The body of `<symbol>:` in objdump output, addresses dropped. */
function functionLines(output: string, symbol: string): string[] {
  const out: string[] = [];
  let inside = false;
  for (const raw of output.split("\n")) {
    if (/^[0-9a-f]+ <.*>:$/.test(raw)) {
      inside = raw.endsWith(`<${symbol}>:`);
      continue;
    }
    if (!inside) continue;
    if (raw.trim() === "" || raw.startsWith("Disassembly of section")) continue;
    const reloc = /^\s+(?:[0-9a-f]+:)\s+(R_\S+)\s+(.*)$/.exec(raw);
    if (reloc) {
      out.push(`    ${reloc[1]} ${maskHashes(reloc[2]!.trim())}`);
      continue;
    }
    const insn = /^\s*[0-9a-f]+:\s*(.*)$/.exec(raw);
    if (insn) out.push(maskHashes(insn[1]!.replace(/\s+/g, " ").trim()));
  }
  return out;
}

function maskHashes(text: string): string {
  return text.replace(/\.llvm\.\d+/g, ".llvm.<hash>");
}

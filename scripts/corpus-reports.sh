#!/usr/bin/env bash
# Writes every report klpmatch produces over the corpus (../shared/corpus) and the committed fixtures
# into the directory $1: diff, match, verify, sympos and symbols, every format, so that a refactoring
# can be checked by `diff -r before/ after/`. Run from a project root after `npm run build`.
# For each command NAME: NAME.out (stdout), NAME.err (stderr), NAME.rc (exit code), and for
# `--out` runs NAME.report (the file written). Inputs are named by paths relative to the project
# root, so two worktrees under the same parent give the same outputs; the absolute project root and
# output directory, where a report shows them, are replaced by "<root>" and "<out>".
# KLP_JOBS (default 2) commands run at once; each writes only its own files.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: scripts/corpus-reports.sh OUTDIR  (run from the project root after npm run build)" >&2
  exit 2
fi
C=../shared/corpus
CLI=dist/bin/klpmatch.js
[[ -f $CLI ]] || { echo "corpus-reports: $CLI missing: run npm run build first" >&2; exit 2; }
[[ -d $C ]] || { echo "corpus-reports: $C missing: run from a project root beside shared/" >&2; exit 2; }
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
ROOT=$PWD
JOBS=${KLP_JOBS:-2}
export LC_ALL=C TZ=UTC NO_COLOR=1
unset FORCE_COLOR KLPMATCH_DEBUG
FORMATS=(text json markdown junit github)
COUNT=0

# run NAME ARGS...: one klpmatch invocation, stdin from $STDIN_FILE (else /dev/null); `@OUT@` in
# an argument stands for NAME.report.
run() {
  local name=$1 a args=()
  shift
  mkdir -p "$OUT/$(dirname "$name")"
  for a in "$@"; do args+=("${a//@OUT@/$OUT/$name.report}"); done
  local rc=0
  node "$CLI" "${args[@]}" <"${STDIN_FILE:-/dev/null}" >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
  echo "$rc" >"$OUT/$name.rc"
}

# spawn NAME ARGS...: run in the background, at most JOBS at once.
spawn() {
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
  COUNT=$((COUNT + 1))
  run "$@" &
}

# report NAME CMD ARGS...: plain stdout text, then each format through --format F --out FILE.
report() {
  local name=$1 f
  shift
  spawn "$name/stdout" "$@"
  for f in "${FORMATS[@]}"; do spawn "$name/$f" "$@" --format "$f" --out @OUT@; done
}

# tj NAME CMD ARGS...: (match, verify) plain stdout text and --format json on stdout.
tj() {
  local name=$1
  shift
  spawn "$name" "$@"
  spawn "$name.json" "$@" --format json
}

# diff2 NAME ORIG PATCHED: a per-file diff, text and --json.
diff2() {
  spawn "$1" diff "$2" "$3"
  spawn "$1.json" diff "$2" "$3" --json
}

# difftree NAME ORIGDIR PATCHEDDIR: tree mode, text and --json.
difftree() {
  spawn "$1" diff --orig "$2" --patched "$3"
  spawn "$1.json" diff --orig "$2" --patched "$3" --json
}

# sympos NAME SYMBOL ARGS...: text and --json.
sympos() {
  local name=$1
  shift
  spawn "$name" sympos "$@"
  spawn "$name.json" sympos "$@" --json
}

base() { local b=${1##*/}; echo "${b%%.*}"; }

# ---------------------------------------------------------------- diff
for orig in "$C"/kpatch-unit/*/*.ORIG.o; do
  arch=$(basename "$(dirname "$orig")")
  case=${orig##*/}
  case=${case%.ORIG.o}
  patched=${orig%.ORIG.o}.PATCHED.o
  [[ -f $patched ]] || patched=${orig%.ORIG.o}.PATCHED.FAIL.o
  diff2 "diff/kpatch-unit/$arch/$case" "$orig" "$patched"
done
for pair in "$C"/oracle/*/pairs/*/; do
  pair=${pair%/}
  tree=$(basename "$(dirname "$(dirname "$pair")")")
  p=${pair##*/}
  difftree "diff/oracle/$tree/$p/tree" "$pair/orig" "$pair/patched"
  for o in "$pair"/orig/*.o; do
    diff2 "diff/oracle/$tree/$p/$(basename "$o" .o)" "$o" "$pair/patched/${o##*/}"
  done
done
difftree diff/thinlto/tree "$C/thinlto/orig" "$C/thinlto/patched"
for o in "$C"/thinlto/orig/*.o; do
  diff2 "diff/thinlto/$(basename "$o" .o)" "$o" "$C/thinlto/patched/${o##*/}"
done
# --explain: changed functions of real pairs (relocation differences and the objdump diff)
explain() { spawn "diff/explain/$1" diff "$3" "$4" --explain "$2"; }
P=$C/oracle
explain gcc-01-init_once init_once "$P/gcc/pairs/01-inode-init_once/orig/inode.o" "$P/gcc/pairs/01-inode-init_once/patched/inode.o"
explain gcc-03-type_show type_show "$P/gcc/pairs/03-cacheinfo-type_show/orig/cacheinfo.o" "$P/gcc/pairs/03-cacheinfo-type_show/patched/cacheinfo.o"
explain gcc-15-dupname dupname "$P/gcc/pairs/15-module-lpt_target-c-dupname/orig/c.o" "$P/gcc/pairs/15-module-lpt_target-c-dupname/patched/c.o"
explain clang-11-default_read_file default_read_file.llvm.1275433627540355002 "$P/clang/pairs/11-debugfs_file-default_read_file/orig/file.o" "$P/clang/pairs/11-debugfs_file-default_read_file/patched/file.o"
explain clang-rebuilt-05-m_start m_start "$P/clang-rebuilt/pairs/05-task_mmu-m_start/orig/task_mmu.o" "$P/clang-rebuilt/pairs/05-task_mmu-m_start/patched/task_mmu.o"
explain thinlto-helper helper "$C/thinlto/orig/a.native.o" "$C/thinlto/patched/a.native.o"
K=$C/kpatch-unit
explain x86_64-cold-change-parent meminfo_proc_show "$K/x86_64/cold-change-parent.ORIG.o" "$K/x86_64/cold-change-parent.PATCHED.o"
explain s390x-new-function n_tty_write "$K/s390x/new-function.ORIG.o" "$K/s390x/new-function.PATCHED.o"
explain s390x-new-function-new kpatch_n_tty_write "$K/s390x/new-function.ORIG.o" "$K/s390x/new-function.PATCHED.o"
explain ppc64le-gcc-constprop do_gettimeofday "$K/ppc64le/gcc-constprop.ORIG.o" "$K/ppc64le/gcc-constprop.PATCHED.o"
explain x86_64-not-a-function no_such_function "$K/x86_64/cold-change-parent.ORIG.o" "$K/x86_64/cold-change-parent.PATCHED.o"
# the committed diff fixtures
for orig in fixtures/diff/*/*.orig.o fixtures/diff/cross/*/*.orig.o; do
  diff2 "diff/${orig%.orig.o}" "$orig" "${orig%.orig.o}.patched.o"
done

# ---------------------------------------------------------------- match
for pair in "$C"/oracle/*/pairs/*/; do
  pair=${pair%/}
  tree_dir=$(dirname "$(dirname "$pair")")
  tree=${tree_dir##*/}
  p=${pair##*/}
  M="match/oracle/$tree/$p"
  io=(match --orig "$pair/orig" --patched "$pair/patched")
  if [[ $p == 15-module-* ]]; then
    mt=$tree_dir/module-target
    report "$M/module-kallsyms" "${io[@]}" --kallsyms "$mt/kallsyms.txt" --objname lpt_target
    report "$M/module-kallsyms-file" "${io[@]}" --kallsyms "$mt/kallsyms.txt" --module-file "$mt/lpt_target.ko" --objname lpt_target
    report "$M/module-file-not-loaded" "${io[@]}" --kallsyms "$tree_dir/kallsyms.txt" --module-file "$mt/lpt_target.ko" --objname lpt_target
    continue
  fi
  report "$M/kallsyms" "${io[@]}" --kallsyms "$tree_dir/kallsyms.txt"
  tj "$M/system-map" "${io[@]}" --system-map "$tree_dir/System.map"
  for v in vmlinux vmlinux-rebuilt; do
    [[ -f $tree_dir/$v ]] || continue
    report "$M/kallsyms-$v" "${io[@]}" --kallsyms "$tree_dir/kallsyms.txt" --vmlinux "$tree_dir/$v"
    tj "$M/$v" "${io[@]}" --vmlinux "$tree_dir/$v"
  done
  # per file instead of per tree
  for o in "$pair"/orig/*.o; do
    spawn "$M/file-$(basename "$o" .o)" match --orig "$o" --patched "$pair/patched/${o##*/}" --kallsyms "$tree_dir/kallsyms.txt"
  done
  # the other lookup rules on the clang trees
  if [[ $tree == clang* ]]; then
    for r in exact first-dot exact-or-llvm llvm-stripped; do
      spawn "$M/rule-$r.json" "${io[@]}" --kallsyms "$tree_dir/kallsyms.txt" --rule "$r" --format json
    done
  fi
done
# a match of the clang objects against the other clang build's kernel (mixed builds)
for p in 01-inode-init_once 11-debugfs_file-default_read_file; do
  spawn "match/mixed/clang-pairs-vs-rebuilt-$p" match --orig "$P/clang/pairs/$p/orig" --patched "$P/clang/pairs/$p/patched" --kallsyms "$P/clang-rebuilt/kallsyms.txt" --vmlinux "$P/clang-rebuilt/vmlinux"
  spawn "match/mixed/rebuilt-pairs-vs-clang-$p.json" match --orig "$P/clang-rebuilt/pairs/$p/orig" --patched "$P/clang-rebuilt/pairs/$p/patched" --kallsyms "$P/clang/kallsyms.txt" --format json
done
# thinlto
T=$C/thinlto
report match/thinlto/tree match --orig "$T/orig" --patched "$T/patched" --kallsyms "$T/prog-orig.nm.txt"
for o in "$T"/orig/*.o; do
  b=$(basename "$o" .o)
  spawn "match/thinlto/file-$b" match --orig "$o" --patched "$T/patched/${o##*/}" --kallsyms "$T/prog-orig.nm.txt"
  spawn "match/thinlto/file-$b.json" match --orig "$o" --patched "$T/patched/${o##*/}" --kallsyms "$T/prog-orig.nm.txt" --format json
done
# the bundled match fixtures
F=fixtures/match
report match/fixtures/gcc-kallsyms match --orig "$F/gcc/orig" --patched "$F/gcc/patched" --kallsyms "$F/gcc/kallsyms.txt"
report match/fixtures/gcc-system-map match --orig "$F/gcc/orig" --patched "$F/gcc/patched" --system-map "$F/gcc/System.map"
report match/fixtures/gcc-twin match --orig "$F/gcc/orig/e.o" --patched "$F/gcc/patched-twin/e.o" --kallsyms "$F/gcc/kallsyms.txt"
report match/fixtures/gcc-no-fentry match --orig "$F/gcc/no-fentry/orig" --patched "$F/gcc/no-fentry/patched" --kallsyms "$F/gcc/kallsyms.txt"
report match/fixtures/clang-kallsyms match --orig "$F/clang/orig" --patched "$F/clang/patched" --kallsyms "$F/clang/kallsyms.txt"
report match/fixtures/module-kallsyms match --orig "$F/module/orig" --patched "$F/module/patched" --kallsyms "$F/module/kallsyms.txt"
report match/fixtures/module-file match --orig "$F/module/orig" --patched "$F/module/patched" --kallsyms "$F/module/kallsyms.txt" --module-file "$F/module/fixmod.ko"
report match/fixtures/match-flags match --orig fixtures/match-flags/orig --patched fixtures/match-flags/patched --system-map fixtures/match-flags/System.map
for fo in warning info none; do
  spawn "match/fixtures/gcc-twin-fail-on-$fo" match --orig "$F/gcc/orig/e.o" --patched "$F/gcc/patched-twin/e.o" --kallsyms "$F/gcc/kallsyms.txt" --fail-on "$fo"
done
for rule in exact first-dot exact-or-llvm llvm-stripped; do
  spawn "match/fixtures/clang-rule-$rule.json" match --orig "$F/clang/orig" --patched "$F/clang/patched" --kallsyms "$F/clang/kallsyms.txt" --rule "$rule" --format json
done
for k in 5.10 6.12; do
  spawn "match/fixtures/clang-kernel-$k" match --orig "$F/clang/orig" --patched "$F/clang/patched" --kallsyms "$F/clang/kallsyms.txt" --kernel "$k"
done
STDIN_FILE=$F/gcc/kallsyms.txt spawn match/fixtures/gcc-kallsyms-stdin match --orig "$F/gcc/orig" --patched "$F/gcc/patched" --kallsyms -
STDIN_FILE=$P/gcc/kallsyms.txt spawn sympos/gcc-type_show-stdin sympos type_show --kallsyms -

# ---------------------------------------------------------------- verify
# verifyall DIR KALLSYMS NAME EXTRA...: every .ko of DIR against KALLSYMS, every format.
verifyall() {
  local dir=$1 ks=$2 name=$3 ko
  shift 3
  for ko in "$dir"/*.ko; do report "verify/$name/$(basename "$ko" .ko)" verify "$ko" --kallsyms "$ks" "$@"; done
}
for t in gcc clang gcc-smp-percpu; do verifyall "$P/$t/livepatch-modules" "$P/$t/kallsyms.txt" "oracle/$t"; done
for o in "$P"/gcc/livepatch-modules/*.ko; do
  b=$(basename "$o" .ko)
  spawn "verify/oracle/gcc-vmlinux/$b.json" verify "$o" --kallsyms "$P/gcc/kallsyms.txt" --vmlinux "$P/gcc/vmlinux" --format json
  spawn "verify/oracle/gcc-system-map/$b" verify "$o" --system-map "$P/gcc/System.map"
done
for t in gcc clang; do
  mt=$P/$t/module-target
  verifyall "$mt/livepatch-modules" "$mt/kallsyms.txt" "oracle/$t-module-target/loaded"
  for o in "$mt"/livepatch-modules/*.ko; do
    b=$(basename "$o" .ko)
    spawn "verify/oracle/$t-module-target/not-loaded/$b" verify "$o" --kallsyms "$P/$t/kallsyms.txt"
    spawn "verify/oracle/$t-module-target/module-file/$b.json" verify "$o" --kallsyms "$P/$t/kallsyms.txt" --module-file "$mt/lpt_target.ko" --format json
  done
done
L=$C/live
verifyall "$L/modules" "$L/boot1/root/proc/kallsyms" live/boot1
for o in "$L"/modules/*.ko; do
  b=$(basename "$o" .ko)
  tj "verify/live/boot1-lpt_target-loaded/$b" verify "$o" --kallsyms "$L/boot1-lpt_target-loaded/root/proc/kallsyms"
  spawn "verify/live/module-file/$b" verify "$o" --kallsyms "$P/gcc/kallsyms.txt" --module-file "$L/modules/lpt_target/lpt_target.ko"
  spawn "verify/live/nonroot/$b" verify "$o" --kallsyms "$L/boot1/nonroot-kallsyms.txt"
  spawn "verify/live/nonroot/$b.json" verify "$o" --kallsyms "$L/boot1/nonroot-kallsyms.txt" --format json
done
# the committed verify fixtures (paths relative to the project root)
V=fixtures/verify
for ko in "$V"/lp_*.ko "$V"/lp_api*.o; do
  b=${ko##*/}
  report "verify/fixtures/$b-module" verify "$ko" --kallsyms "$V/kallsyms.txt" --module-file "$V/fxt_target.ko"
  spawn "verify/fixtures/$b-nomod.json" verify "$ko" --kallsyms "$V/kallsyms-nomod.txt" --format json
  spawn "verify/fixtures/$b-vmlinux" verify "$ko" --vmlinux "$V/fxt_vmlinux_ftrace" --kallsyms "$V/kallsyms-ftrace-kaslr.txt"
  spawn "verify/fixtures/$b-fail-on-none" verify "$ko" --kallsyms "$V/kallsyms.txt" --fail-on none
done
spawn verify/fixtures/lenient-system-map verify "$V/lp_api.ko" --system-map "$V/kallsyms-nomod.txt" --lenient
spawn verify/oracle/gcc-vmlinux-only/lp_g01 verify "$P/gcc/livepatch-modules/lp_g01.ko" --vmlinux "$P/gcc/vmlinux"
spawn verify/fixtures/fxt_vmlinux verify "$V/lp_kpatch.ko" --vmlinux "$V/fxt_vmlinux"

# ---------------------------------------------------------------- sympos
KS=$C/kallsyms
sympos sympos/6.18-init_once init_once --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt"
sympos sympos/6.18-init_once-line init_once --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt" --line 44257
sympos sympos/6.18-isra class_preempt_notrace_destructor.isra.0 --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt"
sympos sympos/6.18-isra-stripped class_preempt_notrace_destructor --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt"
sympos sympos/6.18-cold calibrate_delay.cold --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt"
sympos sympos/6.18-pfx __pfx_init_once --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt"
sympos sympos/6.18-missing no_such_symbol_anywhere --kallsyms "$KS/proc-kallsyms-6.18.44-gcc15.txt"
for m in "$KS"/System.map-6.12* "$KS"/System.map-6.1.0*; do
  sympos "sympos/$(basename "$m")-type_show" type_show --system-map "$m"
done
sympos sympos/System.map-6.1-type_show-kernel-5.4 type_show --system-map "$KS"/System.map-6.1.0-56-amd64 --kernel 5.4
for n in default_read_file.llvm.1275433627540355002 show_cpuinfo.llvm.4068079621735001028 get_branch_type.llvm.1558241945838315079 default_read_file get_branch_type; do
  sympos "sympos/clang-$n" "$n" --kallsyms "$P/clang/kallsyms.txt"
  for r in exact-or-llvm llvm-stripped; do
    sympos "sympos/clang-$n-rule-$r" "$n" --kallsyms "$P/clang/kallsyms.txt" --rule "$r"
  done
done
sympos sympos/clang-rebuilt-default_read_file default_read_file.llvm.780092440432242924 --kallsyms "$P/clang-rebuilt/kallsyms.txt" --vmlinux "$P/clang-rebuilt/vmlinux"
sympos sympos/gcc-type_show type_show --kallsyms "$P/gcc/kallsyms.txt"
sympos sympos/gcc-type_show-vmlinux type_show --kallsyms "$P/gcc/kallsyms.txt" --vmlinux "$P/gcc/vmlinux"
sympos sympos/gcc-type_show-vmlinux-only type_show --vmlinux "$P/gcc/vmlinux"
sympos sympos/gcc-type_show-address type_show --kallsyms "$P/gcc/kallsyms.txt" --address 0xffffffff811b057b
sympos sympos/gcc-type_show-bad-address type_show --kallsyms "$P/gcc/kallsyms.txt" --address 0xffffffff811b057c
sympos sympos/gcc-smp-percpu-proc_reg_open proc_reg_open --kallsyms "$P/gcc-smp-percpu/kallsyms.txt"
for t in gcc clang; do
  mt=$P/$t/module-target
  for n in dupfn dupname; do
    sympos "sympos/$t-module-$n" "$n" --kallsyms "$mt/kallsyms.txt" --objname lpt_target
    sympos "sympos/$t-module-$n-all" "$n" --kallsyms "$mt/kallsyms.txt"
    sympos "sympos/$t-module-$n-file" "$n" --kallsyms "$P/$t/kallsyms.txt" --module-file "$mt/lpt_target.ko" --objname lpt_target
    sympos "sympos/$t-module-$n-file-init" "$n" --kallsyms "$P/$t/kallsyms.txt" --module-file "$mt/lpt_target.ko" --module-init --objname lpt_target
  done
done
sympos sympos/live-boot1-type_show type_show --kallsyms "$L/boot1/root/proc/kallsyms"
sympos sympos/live-nonroot-type_show type_show --kallsyms "$L/boot1/nonroot-kallsyms.txt"
sympos sympos/live-loaded-dupfn dupfn --kallsyms "$L/boot1-lpt_target-loaded/root/proc/kallsyms" --objname lpt_target
sympos sympos/debian-6.1-fat-module fat_fill_super --module-file "$C/modules/6.1.0-56-amd64/fat.ko"
sympos sympos/debian-6.12-fat-module-xz fat_fill_super --module-file "$C/modules/6.12.117+deb12-amd64/fat.ko.xz" --objname fat
sympos sympos/thinlto-helper helper --kallsyms "$T/prog-orig.nm.txt"
sympos sympos/fixtures-fxt_dup fxt_dup --kallsyms "$V/kallsyms.txt" --module-file "$V/fxt_target.ko" --module-init

# ---------------------------------------------------------------- symbols (readelf-like)
for o in "$K/x86_64/cold-change-parent.ORIG.o" "$K/s390x/new-function.ORIG.o" "$K/ppc64le/gcc-constprop.ORIG.o" \
  "$K/aarch64/data-new.ORIG.o" "$K/loongarch64/data-new.ORIG.o" "$T/orig/a.native.o" "$P/gcc/pairs/03-cacheinfo-type_show/orig/cacheinfo.o"; do
  b=$(basename "$(dirname "$o")")-$(basename "$o" .o)
  spawn "symbols/$b" symbols "$o"
  spawn "symbols/$b.relocs" symbols "$o" --relocs
  spawn "symbols/$b.json" symbols "$o" --json
done
spawn symbols/lpt_target.ko symbols "$P/gcc/module-target/lpt_target.ko"

wait
# ------------------------------------------------- phases that read the reports written above
J=$OUT/match/oracle
for t in gcc clang clang-rebuilt; do
  for p in 03-cacheinfo-type_show 11-debugfs_file-default_read_file; do
    r=$J/$t/$p/kallsyms/json.report
    [[ -f $r ]] || continue
    tj "verify/from-match/$t-$p" verify --targets "$r" --kallsyms "$P/$t/kallsyms.txt" --expect "$r"
    tj "match/baseline/$t-$p-same" match --orig "$P/$t/pairs/$p/orig" --patched "$P/$t/pairs/$p/patched" --kallsyms "$P/$t/kallsyms.txt" --baseline "$r"
  done
done
# clang's report as the baseline of the rebuilt kernel's match: decisions whose names changed
for p in 03-cacheinfo-type_show 11-debugfs_file-default_read_file; do
  spawn "match/baseline/clang-vs-rebuilt-$p" match --orig "$P/clang-rebuilt/pairs/$p/orig" --patched "$P/clang-rebuilt/pairs/$p/patched" --kallsyms "$P/clang-rebuilt/kallsyms.txt" --baseline "$J/clang/$p/kallsyms/json.report"
  spawn "match/baseline/clang-vs-rebuilt-$p-fail-on-change" match --orig "$P/clang-rebuilt/pairs/$p/orig" --patched "$P/clang-rebuilt/pairs/$p/patched" --kallsyms "$P/clang-rebuilt/kallsyms.txt" --baseline "$J/clang/$p/kallsyms/json.report" --fail-on-change
done
wait

# The absolute output directory and project root, where a report names them, become <out> and
# <root>: literal replacements only, nothing removed.
OUTDIR=$OUT ROOTDIR=$ROOT node -e '
const fs = require("node:fs"), path = require("node:path");
const pairs = [[process.env.OUTDIR, "<out>"], [process.env.ROOTDIR, "<root>"]];
let changed = 0;
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) {
  const p = path.join(d, e.name);
  if (e.isDirectory()) { walk(p); continue; }
  const s = fs.readFileSync(p, "latin1");
  let t = s;
  for (const [from, to] of pairs) t = t.split(from).join(to);
  if (t !== s) { fs.writeFileSync(p, t, "latin1"); changed++; }
} };
walk(process.env.OUTDIR);
process.stderr.write(`corpus-reports: ${changed} file(s) named the output directory or project root (replaced)\n`);
'
echo "corpus-reports: $COUNT commands, reports in $1" >&2

#!/usr/bin/env bash
# npm run test:kernel — klpmatch on two real kernel build directories. Builds Debian's
# linux-source-6.12 with the corpus configurations (../shared/corpus/oracle/{gcc,clang}/config:
# gcc 12, and clang 19 with CONFIG_LTO_CLANG_THIN) and KCFLAGS="-ffunction-sections
# -fdata-sections", orig and with a one-line patch to kernel/kallsyms.c's static s_show (a name
# kernel/trace/trace.c has too), then checks that `match --orig DIR --patched DIR` reports exactly
# that change and gives the pair whose address is this file's copy in the orig vmlinux (its own
# STT_FILE symbols say which copy lies where). Not part of npm test or .ci/run: it takes minutes.
#
# Needs: apt-get install linux-source-6.12 flex bison bc libelf-dev libssl-dev clang-19 lld-19 llvm-19
# Environment: KLPMATCH_KERNEL_WORK (default /tmp/klpmatch-kernel), TOOLCHAINS (default "gcc clang"),
# JOBS (default nproc), KLPMATCH_CORPUS (default ../shared/corpus).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CORPUS=${KLPMATCH_CORPUS:-$ROOT/../shared/corpus}
WORK=${KLPMATCH_KERNEL_WORK:-/tmp/klpmatch-kernel}
TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}
TOOLCHAINS=${TOOLCHAINS:-gcc clang}
FILE=kernel/kallsyms.c
FUNC=s_show
CLI="node $ROOT/dist/bin/klpmatch.js"

fail() { echo "test:kernel: $*" >&2; exit 2; }
[ -f "$TARBALL" ] || fail "$TARBALL missing: apt-get install linux-source-6.12"
for tool in flex bison bc make readelf; do command -v "$tool" >/dev/null || fail "$tool missing"; done
[ -f "$ROOT/dist/bin/klpmatch.js" ] || fail "dist/ missing: npm run build first"

mkdir -p "$WORK"
SRC=$WORK/linux-source-6.12
[ -d "$SRC" ] || tar -xf "$TARBALL" -C "$WORK"
[ -f "$SRC/$FILE.pristine" ] || cp -p "$SRC/$FILE" "$SRC/$FILE.pristine"

# the one-line patch: s_show also skips symbols without a type
make_patch() {
  cp -p "$SRC/$FILE.pristine" "$SRC/$FILE"
  sed -i 's/^\tif (!iter->name\[0\])$/\tif (!iter->name[0] || !iter->type)/' "$SRC/$FILE"
  if cmp -s "$SRC/$FILE" "$SRC/$FILE.pristine"; then fail "the patch did not apply to $FILE"; fi
  (cd "$SRC" && diff -u --label "a/$FILE" --label "b/$FILE" "$FILE.pristine" "$FILE" || true) > "$WORK/fix.patch"
  cp -p "$SRC/$FILE.pristine" "$SRC/$FILE"
}

# build TOOLCHAIN DIR: configure from the corpus config and build vmlinux and the modules
build() {
  local tc=$1 out=$2
  local llvm=()
  [ "$tc" = clang ] && llvm=(LLVM=-19)
  mkdir -p "$out"
  cp "$CORPUS/oracle/$tc/config" "$out/.config"
  make -s -C "$SRC" O="$out" "${llvm[@]}" olddefconfig
  make -s -C "$SRC" O="$out" "${llvm[@]}" KCFLAGS="-ffunction-sections -fdata-sections" -j"$JOBS" vmlinux modules
}

# the address of FUNC's copy from FILE in a linked vmlinux, by its STT_FILE symbols
copy_address() {
  readelf -sW "$1" | awk -v f="$(basename "$FILE")" -v fn="$FUNC" '
    $4 == "FILE" { file = $8 } $4 == "FUNC" && $8 == fn && file == f { print $2 }'
}

# the check: the reported pair's address is this file's copy (or, when ThinLTO promoted it, its .llvm. name)
cat > "$WORK/check.cjs" <<'JS'
const r = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const [file, func, want] = process.argv.slice(3);
const f = r.objects.filter((o) => o.orig === file).flatMap((o) => o.functions)
  .find((x) => x.name.replace(/\.llvm\.\d+$/, "") === func);
if (!f) {
  console.log(`FAIL: no changed function ${func} under ${file}`);
} else if (!f.target) {
  console.log(`FAIL: ${func}: ${f.decision}, no pair`);
} else {
  const t = f.target;
  const got = BigInt(t.address).toString(16).padStart(16, "0");
  const ok = want === "none" ? t.oldName.includes(".llvm.") : got === want;
  console.log(`${ok ? "PASS" : "FAIL"}: ${file}: ${func} -> ${t.objname}:${t.oldName},${t.oldSympos} at ${got} (this file's copy: ${want}; decided by ${f.decision})`);
}
JS

# the section screen against comparing every unit piece by piece, on the two vmlinux.o
cat > "$WORK/screen.mjs" <<'JS'
const [dist, orig, patched] = process.argv.slice(2);
const { readElfFile } = await import(`${dist}/elf/read-file.js`);
const { readKbuildDir } = await import(`${dist}/lib/kbuild-dir.js`);
const { diffLinkedObjects } = await import(`${dist}/matcher/linked-diff.js`);
const side = async (dir) => ({
  file: await readElfFile(`${dir}/vmlinux.o`),
  members: (await readKbuildDir(dir)).vmlinux.members,
});
const [o, p] = [await side(orig), await side(patched)];
const show = (d) => JSON.stringify(d.units.map((u) => ({ path: u.path, diff: u.diff })), (_k, v) => (typeof v === "bigint" ? `${v}` : v));
const screened = diffLinkedObjects(o, p);
const all = diffLinkedObjects(o, p, { screen: false });
const same = show(screened) === show(all) && screened.skipped === all.skipped;
console.log(`${same ? "PASS" : "FAIL"}: the section screen and comparing all ${all.total} units agree (${all.units.length} diffed)`);
JS

make_patch
status=0
for tc in $TOOLCHAINS; do
  base=$WORK/$tc
  echo "== $tc: orig build"
  start=$(date +%s)
  build "$tc" "$base/orig" > "$base.orig.log" 2>&1 || { tail -20 "$base.orig.log"; fail "$tc orig build failed"; }
  echo "$tc orig build: $(($(date +%s) - start)) s"
  # the patched tree: the orig build copied, the patched file rebuilt and everything relinked
  rm -rf "$base/patched"
  cp -a "$base/orig" "$base/patched"
  (cd "$SRC" && patch -s -p1 < "$WORK/fix.patch")
  start=$(date +%s)
  build "$tc" "$base/patched" > "$base.patched.log" 2>&1 || {
    cp -p "$SRC/$FILE.pristine" "$SRC/$FILE"
    tail -20 "$base.patched.log"
    fail "$tc patched build failed"
  }
  cp -p "$SRC/$FILE.pristine" "$SRC/$FILE"
  echo "$tc patched build: $(($(date +%s) - start)) s"

  echo "== $tc: klpmatch diff"
  start=$(date +%s%N)
  $CLI diff --orig "$base/orig" --patched "$base/patched" --patch "$WORK/fix.patch" | tee "$base.diff.txt"
  echo "$tc diff: $((($(date +%s%N) - start) / 1000000)) ms"
  echo "== $tc: klpmatch match"
  $CLI match --orig "$base/orig" --patched "$base/patched" --system-map "$base/orig/System.map" \
    --patch "$WORK/fix.patch" --kernel 6.12 --format json --out "$base.match.json" --fail-on none
  $CLI match --orig "$base/orig" --patched "$base/patched" --system-map "$base/orig/System.map" \
    --patch "$WORK/fix.patch" --kernel 6.12 --fail-on none | head -40
  screen=$(node "$WORK/screen.mjs" "$ROOT/dist" "$base/orig" "$base/patched")
  echo "$screen"
  case $screen in PASS*) ;; *) status=1 ;; esac
  want=$(copy_address "$base/orig/vmlinux")
  [ -n "$want" ] || want=none
  verdict=$(node "$WORK/check.cjs" "$base.match.json" "$FILE" "$FUNC" "$want")
  echo "$verdict"
  case $verdict in PASS*) ;; *) status=1 ;; esac
done
exit $status

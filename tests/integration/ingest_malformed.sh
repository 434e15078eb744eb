#!/usr/bin/env bash
# ingest_malformed.sh — a folder mixing good photos of every format (real ones
# from group-photos and ones made here with the vips CLI: 16-bit, grey, CMYK,
# multi-page TIFF, EXIF-rotated JPEG, WebP, GIF, PGM/PPM, HEIF/AVIF when
# libheif can encode, odd file names, wrong extensions) with a corpus of broken
# inputs. Checks every reason line, every count, the JSON summary, what the
# catalog and object store hold, and that a second run finds all "unchanged".
set -uo pipefail
BIN=${FACETAG_BIN:?FACETAG_BIN not set}
SHARED=${FACETAG_SHARED:?FACETAG_SHARED not set}
. "$(dirname "$0")/lib/ingest_fixtures.bash"
command -v vips >/dev/null || fail "the vips CLI (Debian libvips-tools) is needed: run scripts/setup-deps.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"

T=$(mktemp -d)
trap 'chmod -R u+rwX "$T" 2>/dev/null; rm -rf "$T"' EXIT
IN=$T/in
mkdir -p "$IN/sub"
GP=$SHARED/data/group-photos
[ -d "$GP" ] || fail "$GP is missing"
SRC=$GP/modern-groups/faceapi_bbt1.jpg

good_files=0 good_photos=0 failed=0
declare -a expect_exact=() expect_prefix=()
good() { good_files=$((good_files + 1)); good_photos=$((good_photos + ${1:-1})); }
bad_exact() { expect_exact+=("$1: $2"); failed=$((failed + 1)); }
bad_prefix() { expect_prefix+=("$1: $2"); failed=$((failed + 1)); }

# ---- good photos ---------------------------------------------------------------
n_real=8
[ "${FACETAG_SANITIZE:-0}" = 1 ] && n_real=3   # ASan: fewer files, same rules
i=0
for f in "$GP"/old-photos/*.jpg; do
  [ $i -ge $n_real ] && break
  cp "$f" "$IN/real_$i.jpg"; good; i=$((i + 1))
done
cp "$GP/solvay-1927/1280px-Solvay_conference_1927.png" "$IN/solvay.png"; good

fx_crop "$SRC" "$T/base.jpg" 0 0 600 400
fx_exif_jpeg "$T/base.jpg" "$IN/g_rot.jpg"; good
printf 'Probe, Februar 1977\n' > "$IN/g_rot.txt"          # sidecar: not an input
printf 'Tanztheater Wuppertal\n' > "$IN/album.txt"        # album: not an input
fx_crop "$SRC" "$T/c1.png" 10 0 500 300
vips cast "$T/c1.png" "$T/c16.v" ushort && vips linear "$T/c16.v" "$T/c16b.v" 257 0 &&
  vips cast "$T/c16b.v" "$T/c16c.v" ushort && vips copy "$T/c16c.v" "$IN/g_rgb16.tif" || fail "vips: 16-bit TIFF"
good
fx_crop "$SRC" "$T/c2.png" 20 0 500 300
vips colourspace "$T/c2.png" "$IN/g_grey.tif" b-w || fail "vips: grey TIFF"; good
fx_crop "$SRC" "$T/c3.png" 30 0 500 300
vips icc_export "$T/c3.png" "$IN/g_cmyk.tif" --output-profile cmyk || fail "vips: CMYK TIFF"; good
for k in 1 2 3; do fx_crop "$SRC" "$T/p$k.tif" $((40 + k)) 10 400 250; done
tiffcp "$T/p1.tif" "$T/p2.tif" "$T/p3.tif" "$IN/g_pages.tif" || fail "tiffcp: multi-page TIFF"
good 3
fx_crop "$SRC" "$T/c4.png" 50 0 500 300;  vips copy "$T/c4.png" "$IN/g.webp" || fail "vips: WebP"; good
fx_crop "$SRC" "$T/c5.png" 60 0 500 300;  vips copy "$T/c5.png" "$IN/g.gif" || fail "vips: GIF"; good
fx_crop "$SRC" "$T/c6.png" 70 0 500 300;  vips colourspace "$T/c6.png" "$IN/g.pgm" b-w || fail "vips: PGM"; good
fx_crop "$SRC" "$T/c7.png" 80 0 500 300;  vips copy "$T/c7.png" "$IN/g.ppm" || fail "vips: PPM"; good
fx_crop "$SRC" "$T/c8.png" 90 0 500 300
if vips copy "$T/c8.png" "$IN/g.heic" 2>/dev/null; then good; else echo "note: libheif cannot encode HEIC here; not tested"; rm -f "$IN/g.heic"; fi
fx_crop "$SRC" "$T/c9.png" 100 0 500 300
if vips copy "$T/c9.png" "$IN/g.avif" 2>/dev/null; then good; else echo "note: libheif cannot encode AVIF here; not tested"; rm -f "$IN/g.avif"; fi
# a real image under a wrong extension is fine: the content decides
fx_crop "$SRC" "$T/w1.jpg" 110 0 500 300; mv "$T/w1.jpg" "$IN/photo.png"; good
fx_crop "$SRC" "$T/w2.jpg" 120 0 500 300; mv "$T/w2.jpg" "$IN/jpeg-named.txt"; good
# odd names, good content
fx_crop "$SRC" "$IN/$(printf 'new\nline.jpg')" 130 0 400 300; good
fx_crop "$SRC" "$T/dash.jpg" 140 0 400 300; mv "$T/dash.jpg" "$IN/-leading dash.jpg"; good
fx_crop "$SRC" "$IN/$(printf 'latin1-\xe9t\xe9.jpg')" 150 0 400 300; good
fx_crop "$SRC" "$IN/quo\"te's and spaces.jpg" 160 0 400 300; good
fx_crop "$SRC" "$IN/sub/in-sub.jpg" 170 0 400 300; good
printf 'x' > "$IN/sub/.DS_Store"                           # hidden: skipped quietly

# ---- broken inputs --------------------------------------------------------------
: > "$IN/zero.jpg";                          bad_exact "$IN/zero.jpg" "empty file (0 bytes)"
s=$(stat -c %s "$T/base.jpg")
head -c $((s / 2)) "$T/base.jpg" > "$IN/truncated.jpg"; bad_prefix "$IN/truncated.jpg" "damaged or truncated JPEG data"
s=$(stat -c %s "$T/c1.png")
head -c $((s / 2)) "$T/c1.png" > "$IN/truncated.png";   bad_prefix "$IN/truncated.png" "damaged or truncated PNG data"
head -c 100 "$T/base.jpg" > "$IN/header-only.jpg";     bad_prefix "$IN/header-only.jpg" "damaged JPEG header"
printf '%%PDF-1.4\n1 0 obj\n<<>>\nendobj\n' > "$IN/doc.pdf"
bad_exact "$IN/doc.pdf" "not a supported image: content is PDF document"
printf 'PK\003\004\024\000rest of a zip' > "$IN/archive.zip"
bad_exact "$IN/archive.zip" "not a supported image: content is ZIP archive (or an office document)"
{ printf '\x00\x01\xfe\x02'; head -c 4096 /dev/urandom; } > "$IN/random.bin"
bad_exact "$IN/random.bin" "not a supported image: content is unknown binary data"
{ printf '\x00\x01\xfe\x02'; head -c 4096 /dev/urandom; } > "$IN/random.jpg"
bad_exact "$IN/random.jpg" "not an image although its extension .jpg says so: content is unknown binary data"
printf '%%PDF-1.4\n' > "$IN/fake-photo.JPG"
bad_exact "$IN/fake-photo.JPG" "not an image although its extension .JPG says so: content is PDF document"
printf 'just some notes\n' > "$IN/notes.txt"
bad_exact "$IN/notes.txt" "not a supported image: content is text"
printf 'P5\n100000 100000\n255\n\0\0\0\0' > "$IN/bomb.pgm"
bad_exact "$IN/bomb.pgm" "100000x100000 pixels (10000 MP) exceeds --max-pixels 400 MP"
fx_jpeg_bomb "$T/base.jpg" "$IN/bomb.jpg"
bad_exact "$IN/bomb.jpg" "65000x65000 pixels (4225 MP) exceeds --max-pixels 400 MP"
mkfifo "$IN/pipe.jpg";                       bad_exact "$IN/pipe.jpg" "not a file but a named pipe"
ln -s /nonexistent/x.jpg "$IN/dangling.jpg"; bad_exact "$IN/dangling.jpg" "broken symbolic link (its target does not exist)"
head -c 100 "$T/base.jpg" > "$IN/$(printf 'bad\xff name.jpg')"
bad_prefix "$IN/bad\\xff name.jpg" "damaged JPEG header"        # shown escaped
head -c 100 "$T/base.jpg" > "$IN/$(printf 'two\nlines.jpg')"
bad_prefix "$IN/two\\nlines.jpg" "damaged JPEG header"
if [ "$(id -u)" = 0 ]; then
  echo "note: running as root, which reads chmod 000 files: the unreadable-file case runs as 'nobody' at the end"
else
  fx_crop "$SRC" "$IN/unreadable.jpg" 0 0 100 100; chmod 000 "$IN/unreadable.jpg"
  bad_exact "$IN/unreadable.jpg" "cannot open: Permission denied"
fi
bad_exact "$T/does-not-exist" "no such file or folder"

# ---- usage errors: exit 2, nothing done --------------------------------------------
"$BIN" --data "$T/data" ingest >/dev/null 2>&1; [ $? -eq 2 ] || fail "no PATH should exit 2"
"$BIN" --data "$T/data" ingest --max-edge abc "$IN" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --max-edge should exit 2"
"$BIN" --data "$T/data" ingest --max-pixels 0 "$IN" >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --max-pixels should exit 2"
"$BIN" --data "$T/data" ingest --bogus "$IN" >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown option should exit 2"
[ ! -e "$T/data/catalog.sqlite" ] || fail "a usage error must not create the catalog"

# ---- the run ------------------------------------------------------------------
"$BIN" --data "$T/data" ingest -j 2 --json "$IN" "$T/does-not-exist" > "$T/out.json" 2> "$T/err.txt"
rc=$?
[ $rc -eq 1 ] || { cat "$T/err.txt"; fail "exit status $rc, want 1 (some inputs failed)"; }
want="{\"ingested\":$good_files,\"duplicates\":0,\"failed\":$failed,\"unchanged\":0}"
[ "$(cat "$T/out.json")" = "$want" ] || { cat "$T/err.txt"; fail "summary $(cat "$T/out.json"), want $want"; }
grep -q $'\r\|\e' "$T/err.txt" && fail "progress bar drawn although stderr is not a terminal"
grep -v '^ingest: ' "$T/err.txt" > "$T/reasons.txt"
[ "$(wc -l < "$T/reasons.txt")" -eq $failed ] || { cat "$T/reasons.txt"; fail "want exactly $failed reason lines"; }
[ "$(grep -c '^ingest: ' "$T/err.txt")" -eq 1 ] || fail "want one summary line on stderr"
for line in "${expect_exact[@]}"; do
  grep -Fxq -- "$line" "$T/reasons.txt" || { cat "$T/reasons.txt"; fail "missing reason line: $line"; }
done
for line in "${expect_prefix[@]}"; do
  grep -Fq -- "$line" "$T/reasons.txt" || { cat "$T/reasons.txt"; fail "missing reason line starting: $line"; }
done

# ---- what was recorded ----------------------------------------------------------------
DB=$T/data/catalog.sqlite
q() { sqlite3 "$DB" "$1"; }
[ "$(q 'SELECT count(*) FROM photos')" -eq $good_photos ] || fail "photos: $(q 'SELECT count(*) FROM photos'), want $good_photos"
[ "$(q 'SELECT count(*) FROM photo_sources')" -eq $good_files ] || fail "source paths, want $good_files"
[ "$(q 'SELECT count(*) FROM ingest_failures')" -eq $failed ] || fail "failure rows, want $failed"
[ "$(q "SELECT reason FROM ingest_failures WHERE path = '$IN/zero.jpg'")" = "empty file (0 bytes)" ] || fail "zero.jpg reason in the catalog"
[ "$(q "SELECT reason FROM ingest_failures WHERE path = '$IN/bomb.pgm'")" = "100000x100000 pixels (10000 MP) exceeds --max-pixels 400 MP" ] ||
  fail "bomb.pgm reason in the catalog"
[ "$(ls "$T/data/objects/incoming" | wc -l)" -eq $good_files ] || fail "incoming/ should hold one original per file"
[ "$(ls "$T/data/objects/processed" | wc -l)" -eq $good_photos ] || fail "processed/ should hold one image per photo"

# the EXIF-rotated JPEG: turned upright, date and camera read, sidecar and album kept
row=$(q "SELECT width, height, orig_width, orig_height, orientation, taken_at, taken_at_source, camera_make, format
         FROM photos JOIN photo_sources USING (photo_id) WHERE path = '$IN/g_rot.jpg'")
[ "$row" = "400|600|400|600|6|1977-02-14T19:30:05|exif|Leica|jpeg" ] || fail "rotated JPEG row: $row"
side=$(q "SELECT sidecar FROM photos JOIN photo_sources USING (photo_id) WHERE path = '$IN/g_rot.jpg'")
[ "$side" = '{"album":{"txt":"Tanztheater Wuppertal"},"txt":"Probe, Februar 1977"}' ] || fail "sidecar: $side"
id=$(q "SELECT photo_id FROM photo_sources WHERE path = '$IN/g_rot.jpg'")
[ "$(vipsheader -f width "$T/data/objects/processed/$id.jpg")x$(vipsheader -f height "$T/data/objects/processed/$id.jpg")" = 400x600 ] ||
  fail "processed image of the rotated JPEG is not upright"

# multi-page TIFF: three photos, one original; page ids from the file's SHA-256
sha=$(sha256sum "$IN/g_pages.tif" | cut -c1-64)
pages=$(q "SELECT group_concat(photo_id || ':' || page || ':' || ifnull(parent_id, '-') || ':' || incoming_key, ' ')
           FROM (SELECT * FROM photos WHERE sha256 = '$sha' ORDER BY page)")
p1=$(printf '%s#page=1' "$sha" | sha256sum | cut -c1-16)
p2=$(printf '%s#page=2' "$sha" | sha256sum | cut -c1-16)
want="${sha:0:16}:0:-:${sha:0:16}.tif $p1:1:${sha:0:16}:${sha:0:16}.tif $p2:2:${sha:0:16}:${sha:0:16}.tif"
[ "$pages" = "$want" ] || fail "pages: $pages, want $want"

# the format recorded is the content's, whatever the extension says
[ "$(q "SELECT format || ' ' || incoming_key FROM photos JOIN photo_sources USING (photo_id) WHERE path = '$IN/photo.png'" | cut -d' ' -f1)" = jpeg ] ||
  fail "photo.png holds a JPEG and must be recorded as jpeg"
formats=$(q "SELECT group_concat(format, ',') FROM (SELECT DISTINCT format FROM photos ORDER BY format)")
case "$formats" in *gif,*jpeg,png,pnm,tiff,webp) ;; *) fail "formats recorded: $formats" ;; esac
# odd names are recorded byte for byte
[ "$(q "SELECT count(*) FROM photo_sources WHERE instr(path, char(10)) > 0")" -eq 1 ] || fail "name with a newline"
[ "$(q "SELECT count(*) FROM photo_sources WHERE hex(path) LIKE '%6C6174696E312DE974E92E6A7067'")" -eq 1 ] ||
  fail "Latin-1 name not recorded as its bytes"
[ "$(q "SELECT count(*) FROM photo_sources WHERE path = '$IN/-leading dash.jpg'")" -eq 1 ] || fail "leading dash name"
[ "$(q "SELECT count(*) FROM photo_sources WHERE path = '$IN/quo\"te''s and spaces.jpg'")" -eq 1 ] || fail "quotes name"
# the working images are sRGB 8-bit JPEGs
for f in "$T"/data/objects/processed/*.jpg; do
  h=$(vipsheader "$f") || fail "unreadable processed image $f"
  case "$h" in *"uchar, 3 bands, srgb, jpegload"*) ;; *) fail "processed image not 8-bit sRGB: $h" ;; esac
done

# ---- the second run: nothing to do, the same failures ---------------------------------
"$BIN" --data "$T/data" ingest -j 2 --json "$IN" "$T/does-not-exist" > "$T/out2.json" 2> "$T/err2.txt"
rc=$?
[ $rc -eq 1 ] || fail "second run: exit status $rc, want 1"
want="{\"ingested\":0,\"duplicates\":0,\"failed\":$failed,\"unchanged\":$good_files}"
[ "$(cat "$T/out2.json")" = "$want" ] || fail "second run summary $(cat "$T/out2.json"), want $want"
[ "$(grep -vc '^ingest: ' "$T/err2.txt")" -eq $failed ] || fail "second run: want the same $failed reason lines"

# ---- a smaller --max-pixels refuses from the header --------------------------------------
"$BIN" --data "$T/data2" ingest --max-pixels 100K "$IN/g.webp" > /dev/null 2> "$T/err3.txt"
[ $? -eq 1 ] || fail "--max-pixels 100K should refuse g.webp"
grep -Fxq "$IN/g.webp: 500x300 pixels (0.15 MP) exceeds --max-pixels 0.1 MP" "$T/err3.txt" ||
  { cat "$T/err3.txt"; fail "--max-pixels reason"; }

# ---- unreadable files and folders (as a user that cannot read them) ------------------------
if [ "$(id -u)" = 0 ]; then
  if command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
    chmod 755 "$T"
    mkdir -m 777 "$T/nr"
    mkdir -m 000 "$T/nr/locked-folder"
    cp "$T/base.jpg" "$T/nr/locked.jpg"; chmod 000 "$T/nr/locked.jpg"
    runuser -u nobody -- "$BIN" --data "$T/nr/data" ingest "$T/nr" > /dev/null 2> "$T/err4.txt"
    [ $? -eq 1 ] || fail "unreadable inputs should exit 1"
    grep -Fxq "$T/nr/locked.jpg: cannot open: Permission denied" "$T/err4.txt" || { cat "$T/err4.txt"; fail "unreadable file reason"; }
    grep -Fxq "$T/nr/locked-folder: cannot read folder: Permission denied" "$T/err4.txt" ||
      { cat "$T/err4.txt"; fail "unreadable folder reason"; }
    [ "$(grep -vc '^ingest: ' "$T/err4.txt")" -eq 2 ] || { cat "$T/err4.txt"; fail "the data folder inside the input must not be walked"; }
  else
    echo "note: skipping the unreadable-file case: running as root without runuser/nobody, and root reads chmod 000 files"
  fi
fi

echo "ok: $good_files good files ($good_photos photos), $failed refused with their reasons, re-run unchanged"

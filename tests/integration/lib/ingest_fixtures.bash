# ingest_fixtures.bash — shared by the ingest integration tests (sourced, not a
# test itself): fixture images made with the vips CLI and a canonical dump of a
# data folder for comparing runs. Sources store.bash (S3 runs) when BIN is set.
[ -n "${BIN:-}" ] && . "$(dirname "${BASH_SOURCE[0]}")/store.bash"

# fx_base SRC OUT LEFT TOP W H — a crop of SRC as a baseline JPEG without
# metadata, so that every fixture has its own bytes.
fx_crop() { vips crop "$1" "$2[strip,Q=85]" "$3" "$4" "$5" "$6"; }

# fx_exif_jpeg BASE OUT — BASE (a JPEG without EXIF) with an EXIF block:
# Make "Leica", Orientation 6 (rotate 90 cw), DateTimeOriginal 1977:02:14 19:30:05.
fx_exif_jpeg() {
  {
    printf '\xff\xd8'
    printf '\xff\xe1\x00\x66Exif\x00\x00II*\x00\x08\x00\x00\x00\x03\x00'
    printf '\x0f\x01\x02\x00\x06\x00\x00\x00\x32\x00\x00\x00'   # Make, ASCII[6] at 50
    printf '\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00'   # Orientation = 6
    printf '\x69\x87\x04\x00\x01\x00\x00\x00\x38\x00\x00\x00'   # Exif IFD at 56
    printf '\x00\x00\x00\x00Leica\x00\x01\x00'
    printf '\x03\x90\x02\x00\x14\x00\x00\x00\x4a\x00\x00\x00\x00\x00\x00\x00' # DateTimeOriginal at 74
    printf '1977:02:14 19:30:05\x00'
    tail -c +3 "$1"
  } > "$2"
}

# fx_jpeg_bomb BASE OUT — BASE with its frame header claiming 65000 x 65000 pixels.
fx_jpeg_bomb() {
  cp "$1" "$2"
  local off
  off=$(LC_ALL=C grep -obUaP '\xff\xc0' "$2" | head -1 | cut -d: -f1)
  printf '\xfd\xe8\xfd\xe8' | dd of="$2" bs=1 seek=$((off + 5)) conv=notrunc status=none
}

# fx_dump DATA — the catalog (without timestamps and row ids) and every file
# under objects/ with its SHA-256, in a stable order.
fx_dump() {
  local db="$1/catalog.sqlite"
  sqlite3 "$db" "SELECT 'photo', photo_id, sha256, ifnull(parent_id,''), page, format, incoming_key, bytes,
                        width, height, orig_width, orig_height, orientation, ifnull(taken_at,''),
                        ifnull(taken_at_source,''), ifnull(camera_make,''), ifnull(camera_model,''),
                        ifnull(sidecar,''), status, ifnull(error,'')
                 FROM photos ORDER BY photo_id;
                 SELECT 'source', hex(path), photo_id, size, mtime_ns FROM photo_sources ORDER BY path;
                 SELECT 'failure', hex(path), reason FROM ingest_failures ORDER BY path;"
  (cd "$(objects "$1")" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

fail() { echo "FAIL: $*" >&2; exit 1; }

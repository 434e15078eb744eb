#!/usr/bin/env python3
"""xmp_check.py — the independent side of the XMP tests: compares the regions
exiftool read (JSON of `exiftool -j -struct -RegionInfo -Orientation
-ImageWidth -ImageHeight`) with the faces facetag's JSON export names.

Usage: xmp_check.py EXPORT_JSON EXIFTOOL_JSON MAP
  MAP: lines "PHOTO_ID FILE ORIENTATION" (the file exiftool read for that
  photo, the EXIF orientation the test gave it).
Expected areas: each named face's box (processed pixels, as displayed) is
normalised and turned back to the stored pixels here with the test's own
rotation arithmetic (not facetag's). Every name must be there, each area
within TOL of the box (relative to the box's width/height; default 0.5 %).
Prints the largest error; exit 1 on any mismatch.

  xmp_check.py EXPORT_JSON EXIFTOOL_JSON MAP TOL FRAMES
FRAMES (a contact sheet): lines "FRAME_ID|cx|cy|w|h|angle|fw|fh" (sqlite's
output of photo_frames and the frame's processed size); then the faces wanted
on the sheet of MAP are the named faces of those frames, each box carried
onto the sheet here: the frame is the w x h rectangle centred on (cx, cy)
turned by angle degrees (counter-clockwise on the screen), its fw x fh pixels
spread over it; the region is the bounding box of the four carried corners."""
import cmath, json, math, sys

TOL = float(sys.argv[4]) if len(sys.argv) > 4 else 0.005
FRAMES = sys.argv[5] if len(sys.argv) > 5 else None

def on_sheet(box, cx, cy, w, h, angle, fw, fh):
    turn = cmath.exp(-1j * math.radians(angle))
    pts = []
    for px, py in ((box[0], box[1]), (box[0] + box[2], box[1]), (box[0], box[1] + box[3]), (box[0] + box[2], box[1] + box[3])):
        z = complex(cx, cy) + complex((px / fw - 0.5) * w, (py / fh - 0.5) * h) * turn
        pts.append(z)
    xs, ys = [z.real for z in pts], [z.imag for z in pts]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]

def sheet_faces(photos):
    faces = []
    for line in open(FRAMES):
        fid, cx, cy, w, h, angle, fw, fh = line.strip().split("|")
        cx, cy, w, h, angle, fw, fh = map(float, (cx, cy, w, h, angle, fw, fh))
        for fc in photos[fid]["faces"]:
            if fc.get("name") and fc.get("name_status") == "confirmed":
                faces.append({"name": fc["name"], "name_status": "confirmed",
                              "box": on_sheet(fc["box"], cx, cy, w, h, angle, fw, fh)})
    return faces

def stored_rect(box, W, H, o):
    """box (x, y, w, h) in the displayed image W x H -> normalised rect in the
    stored image: map the displayed corners back through the orientation."""
    x0, y0, x1, y1 = box[0] / W, box[1] / H, (box[0] + box[2]) / W, (box[1] + box[3]) / H
    def back(u, v):  # displayed (u, v) -> stored (s, t)
        return {1: (u, v), 2: (1 - u, v), 3: (1 - u, 1 - v), 4: (u, 1 - v),
                5: (v, u), 6: (v, 1 - u), 7: (1 - v, 1 - u), 8: (1 - v, u)}[o]
    a, b = back(x0, y0), back(x1, y1)
    return min(a[0], b[0]), min(a[1], b[1]), abs(a[0] - b[0]), abs(a[1] - b[1])

def main():
    export = json.load(open(sys.argv[1]))
    tool = {d["SourceFile"]: d for d in json.load(open(sys.argv[2]))}
    photos = {p["photo_id"]: p for p in export["photos"]}
    worst, checked, bad = 0.0, 0, []
    for line in open(sys.argv[3]):
        pid, f, o = line.split()
        o = int(o)
        p = photos[pid]
        if FRAMES:
            want = sheet_faces(photos)
        else:
            want = [fc for fc in p["faces"] if fc.get("name") and fc.get("name_status") == "confirmed"]
        got = tool[f].get("RegionInfo", {})
        regions = got.get("RegionList", [])
        if len(regions) != len(want):
            bad.append(f"{f}: {len(regions)} regions, want {len(want)}")
            continue
        dims = got.get("AppliedToDimensions", {})
        sw, sh = tool[f].get("ImageWidth"), tool[f].get("ImageHeight")
        if sw and (dims.get("W") != sw or dims.get("H") != sh):
            bad.append(f"{f}: AppliedToDimensions {dims} but the stored image is {sw}x{sh}")
        for fc in want:
            r = [g for g in regions if g.get("Name") == fc["name"]]
            if len(r) != 1:
                bad.append(f"{f}: name {fc['name']!r} found {len(r)} times")
                continue
            a = r[0]["Area"]
            if r[0].get("Type") != "Face" or a.get("Unit") != "normalized":
                bad.append(f"{f}: {fc['name']}: type {r[0].get('Type')} unit {a.get('Unit')}")
            x, y, w, h = stored_rect(fc["box"], p["width"], p["height"], o)
            # MWG areas are centre-based
            errs = [abs(a["X"] - (x + w / 2)) / w, abs(a["Y"] - (y + h / 2)) / h, abs(a["W"] - w) / w, abs(a["H"] - h) / h]
            worst = max(worst, *errs)
            checked += 1
            if max(errs) > TOL:
                bad.append(f"{f}: {fc['name']}: area {a} vs box {x:.4f},{y:.4f},{w:.4f},{h:.4f} (error {max(errs):.2%})")
    print(f"xmp_check: {checked} regions checked, largest area error {worst:.4%} of the box")
    if bad or checked == 0:
        print("\n".join(bad) or "nothing checked", file=sys.stderr)
        sys.exit(1)

main()

#!/usr/bin/env python3
"""xmp_regions.py — the "other tool" of the XMP import test: turns face boxes
of an upright photo into exiftool arguments that write MWG or MP regions for a
copy stored with EXIF orientation O, in the frame MWG prescribes (the stored
pixels), with this script's own arithmetic.

  xmp_regions.py mwg|mp ORIENTATION W H SPEC...
SPEC: "NAME:x,y,w,h" (pixels of the upright W x H image) or "NAME@raw:x,y,w,h"
(already normalised, stored frame, written as given: for regions outside the
image). Prints one exiftool argument."""
import sys

def stored(u, v, o):
    # displayed (u, v) -> stored, the inverse of EXIF orientation o
    return {1: (u, v), 2: (1 - u, v), 3: (1 - u, 1 - v), 4: (u, 1 - v),
            5: (v, u), 6: (v, 1 - u), 7: (1 - v, 1 - u), 8: (1 - v, u)}[o]

def rect(box, W, H, o):
    x, y, w, h = box
    a = stored(x / W, y / H, o)
    b = stored((x + w) / W, (y + h) / H, o)
    return min(a[0], b[0]), min(a[1], b[1]), abs(a[0] - b[0]), abs(a[1] - b[1])

form, o, W, H = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
items = []
for spec in sys.argv[5:]:
    if "@raw:" in spec:
        name, nums = spec.split("@raw:")
        x, y, w, h = map(float, nums.split(","))
    else:
        name, nums = spec.rsplit(":", 1)
        x, y, w, h = rect(list(map(float, nums.split(","))), W, H, o)
    name, typ = (name.split("#") + ["Face"])[:2]
    if form == "mwg":
        items.append("{Area={X=%.6f,Y=%.6f,W=%.6f,H=%.6f,Unit=normalized},Name=%s,Type=%s}"
                     % (x + w / 2, y + h / 2, w, h, name, typ))
    else:
        items.append("{PersonDisplayName=%s,Rectangle=%.6f|, %.6f|, %.6f|, %.6f}" % (name, x, y, w, h))
sw, sh = (H, W) if o >= 5 else (W, H)
if form == "mwg":
    print("-RegionInfo={AppliedToDimensions={W=%d,H=%d,Unit=pixel},RegionList=[%s]}" % (sw, sh, ",".join(items)))
else:
    print("-RegionInfoMP={Regions=[%s]}" % ",".join(items))

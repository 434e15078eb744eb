/* test_crops.c — face-api's crop geometry against the reference's golden JSON:
 * for every face of the parity, demo and group-photo goldens (300 faces), the
 * landmark crop from the detection box, alignedRect and its crop from the 68
 * points, and the dlib descriptor rectangle and its crop must be exactly what the
 * reference computed. Plus hand cases for clipping at the borders. */
#include "golden_faces.h"

#include <math.h>

static void test_clip_cases(void)
{
    crop_rect c;
    /* Inside: floors each of x, y, w, h on its own. */
    CHECK(crops_clip((rectd){ 10.7, 20.2, 30.9, 40.5 }, 100, 100, &c));
    CHECK(c.x == 10 && c.y == 20 && c.w == 30 && c.h == 40);
    /* Left/top outside: starts at 0, width shrinks by the part outside. */
    CHECK(crops_clip((rectd){ -5.5, -2.0, 20.0, 10.0 }, 100, 100, &c));
    CHECK(c.x == 0 && c.y == 0 && c.w == 14 && c.h == 8);
    /* Right/bottom outside: capped at the image border. */
    CHECK(crops_clip((rectd){ 90.5, 95.0, 20.0, 20.0 }, 100, 100, &c));
    CHECK(c.x == 90 && c.y == 95 && c.w == 9 && c.h == 5);
    /* Entirely outside or degenerate: empty. */
    CHECK(!crops_clip((rectd){ 120.0, 10.0, 5.0, 5.0 }, 100, 100, &c));
    CHECK(!crops_clip((rectd){ 10.0, 10.0, 0.5, 5.0 }, 100, 100, &c));
    /* The relative round-trip leaves most values alone but not all: (x*(1/W))*W. */
    rectd r = crops_detection_for_size((rectd){ 0.0, 0.0, 100.0, 100.0 }, 500, 375);
    CHECK(r.w == 100.0 && r.h == (100.0 * (1.0 / 375)) * 375);
}

static void test_descriptor_rect_hand(void)
{
    /* Eyes at (40,50) and (60,50), mouth at (50,80): d = sqrt(100+900) = 31.62...,
     * size = floor(31.62/0.45) = 70, ref = (50, 60); x = floor(50-35) = 15,
     * y = floor(60 - 30.1) = 29. */
    pointd pts[CROPS_NPOINTS] = { { 0 } };
    for (int i = 36; i < 42; i++)
        pts[i] = (pointd){ 40, 50 };
    for (int i = 42; i < 48; i++)
        pts[i] = (pointd){ 60, 50 };
    for (int i = 48; i < 68; i++)
        pts[i] = (pointd){ 50, 80 };
    rectd r = crops_descriptor_rect(pts, 100, 100);
    CHECK(r.x == 15 && r.y == 29 && r.w == 70 && r.h == 70);
    /* The landmark crop's size caps it (a no-op in practice, but it is face-api's rule). */
    r = crops_descriptor_rect(pts, 20, 10);
    CHECK(r.w == 35 && r.h == 39);
}

static bool crop_eq(crop_rect a, crop_rect b)
{
    return a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h;
}

static void check_golden(const char *relpath)
{
    json_t *root = golden_load(relpath);
    if (!root)
        return;
    int faces = 0, bad = 0;
    double max_aligned = 0;
    size_t ii;
    json_t *img;
    json_array_foreach(json_object_get(root, "images"), ii, img)
    {
        const int W = (int)golden_num(img, "width"), H = (int)golden_num(img, "height");
        const char *file = json_string_value(json_object_get(img, "file"));
        size_t fi;
        json_t *face;
        json_array_foreach(json_object_get(img, "faces"), fi, face)
        {
            faces++;
            pointd pts[CROPS_NPOINTS];
            CHECK(golden_points(face, pts));
            crop_rect lm, at, ds;
            bool ok = crops_clip(crops_detection_for_size(golden_rectd(json_object_get(face, "box")), W, H), W, H, &lm);
            ok = ok && crop_eq(lm, golden_crop(face, "landmarks"));

            rectd ar = crops_aligned_rect(pts, W, H);
            rectd gar = golden_rectd(json_object_get(face, "alignedRect"));
            double d = fmax(fmax(fabs(ar.x - gar.x), fabs(ar.y - gar.y)), fmax(fabs(ar.w - gar.w), fabs(ar.h - gar.h)));
            if (d > max_aligned)
                max_aligned = d;
            ok = ok && d == 0.0;
            ok = ok && crops_clip(crops_detection_for_size(ar, W, H), W, H, &at) &&
                 crop_eq(at, golden_crop(face, "attributes"));
            crop_rect at2;
            ok = ok && crops_attributes_crop(pts, W, H, &at2) && crop_eq(at2, at);

            rectd dr = crops_descriptor_rect(pts, lm.w, lm.h);
            rectd gdr = golden_rectd(json_object_get(face, "descriptorRect"));
            ok = ok && dr.x == gdr.x && dr.y == gdr.y && dr.w == gdr.w && dr.h == gdr.h;
            ok = ok && crops_clip(dr, W, H, &ds) && crop_eq(ds, golden_crop(face, "descriptor"));
            CHECK_MSG(ok, "%s %s face %zu: crops differ from the reference", relpath, file, fi);
            if (!ok)
                bad++;
        }
    }
    printf("%s: %d faces, %d with a crop differing, max |alignedRect diff| %.3g px\n", relpath, faces, bad,
           max_aligned);
    CHECK(faces > 0);
    json_decref(root);
}

int main(void)
{
    test_clip_cases();
    test_descriptor_rect_hand();
    check_golden("reference/faceapi-ref/parity/golden-parity.json");
    check_golden("reference/faceapi-ref/golden-demo.json");
    check_golden("reference/faceapi-ref/golden-groups.json");
    return test_main_end();
}

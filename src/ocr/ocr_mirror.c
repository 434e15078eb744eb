/* ocr_mirror.c — the mirrored-scan decision (ocr_mirror.h). */
#include "ocr/ocr_mirror.h"

bool ocr_mirror_decide(double score, double score_flipped)
{
    return score_flipped >= OCR_MIRROR_MIN_SCORE && score_flipped >= OCR_MIRROR_RATIO * (score + 4.0);
}

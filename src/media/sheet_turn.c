/* sheet_turn.c — a frame's box described from its picture's top (sheet.h):
 * the frames of vertical strips handed over upright. */
#include "media/sheet.h"

#include <math.h>

void sheet_frame_turn(sheet_frame *f, int quarters)
{
    int q = ((quarters % 4) + 4) % 4;
    if (q == 0)
        return;
    double a = fmod(f->angle + 90.0 * q, 360.0);
    if (a > 180.0)
        a -= 360.0;
    else if (a <= -180.0)
        a += 360.0;
    f->angle = a;
    if (q % 2) {
        double t = f->w;
        f->w = f->h;
        f->h = t;
    }
}

void sheet_result_upright(sheet_result *r)
{
    if (!r->vertical || r->upright)
        return;
    for (int i = 0; i < r->nframes; i++)
        sheet_frame_turn(&r->frames[i], SHEET_VERTICAL_QUARTERS);
    r->upright = SHEET_VERTICAL_QUARTERS;
}

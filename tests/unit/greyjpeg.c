/* greyjpeg.c — greyjpeg.h. */
#include "greyjpeg.h"

#include <stdio.h> /* before jpeglib.h, which uses FILE and size_t */

#include <jpeglib.h>

int greyjpeg_write(const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    jpeg_stdio_dest(&cinfo, f);
    cinfo.image_width = 64;
    cinfo.image_height = 48;
    cinfo.input_components = 1;
    cinfo.in_color_space = JCS_GRAYSCALE;
    jpeg_set_defaults(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    JSAMPLE row[64];
    for (int y = 0; y < 48; y++) {
        for (int x = 0; x < 64; x++)
            row[x] = (JSAMPLE)((x * 4 + y) & 0xff);
        JSAMPROW rows[1] = { row };
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return fclose(f) == 0 ? 0 : -1;
}

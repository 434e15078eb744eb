/* bench_files.c — bench_files.h. */
#include "bench_files.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_image(const char *name)
{
    const char *dot = strrchr(name, '.');
    return name[0] != '.' && dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png"));
}

static int list_tree(const char *dir, char **files, int n, int max, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return n;
    struct dirent *de;
    while ((de = readdir(d)) && n < max) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >= (int)sizeof path || stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < 3)
            n = list_tree(path, files, n, max, depth + 1);
        else if (S_ISREG(st.st_mode) && is_image(de->d_name))
            files[n++] = strdup(path);
    }
    closedir(d);
    return n;
}

int bench_list_images(const char *dir, char **files, int max, int every)
{
    const int n = list_tree(dir, files, 0, max, 0);
    qsort(files, (size_t)n, sizeof *files, path_cmp);
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (every <= 1 || i % every == 0)
            files[k++] = files[i];
        else
            free(files[i]);
    }
    return k;
}

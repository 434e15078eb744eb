// xmp_quiet.cpp — Exempi prints every error it returns ("XML parsing failure",
// "Host_IO::Open, file permission error") on std::cerr as well. facetag turns
// the returned codes into its own messages naming the file, so the toolkit's
// copies would only be noise in ingest's and export's output. No C code of
// facetag writes to std::cerr; only C++ libraries could, and they are quiet
// then too (FAISS reports through exceptions and fprintf).
#include <iostream>

extern "C" void xmp_quiet_toolkit(void);

extern "C" void xmp_quiet_toolkit(void)
{
    std::cerr.setstate(std::ios::badbit); // output to a stream in a failed state is dropped
}

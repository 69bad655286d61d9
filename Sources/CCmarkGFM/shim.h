// The system cmark-gfm (Debian: libcmark-gfm-dev, libcmark-gfm-extensions-dev): GitHub's fork of the CommonMark
// reference implementation, with its table, strikethrough, autolink and tagfilter extensions.
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

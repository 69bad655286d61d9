// The system libpq (Debian: libpq-dev), PostgreSQL's own C client: synchronous, one connection per thread, with
// pipeline mode and COPY. pkg-config (libpq) gives the include path.
#ifndef HERALD_CLIBPQ_H
#define HERALD_CLIBPQ_H
#include <libpq-fe.h>
#endif

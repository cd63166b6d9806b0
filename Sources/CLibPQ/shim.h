// libpq, PostgreSQL's own client library: connection URIs, PG* variables, ~/.pgpass,
// sslmode and the COPY protocol as psql has them.
#include <libpq-fe.h>

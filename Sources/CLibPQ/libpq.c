// libpq, loaded on first use (see include/CLibPQ.h for why). Each function PMQ calls is a
// forwarder to libpq's own, found once with dlsym.
#include "CLibPQ.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#define PMQ_LIBPQ_FUNCTIONS(X) \
    X(PQconnectdb) X(PQfinish) X(PQstatus) X(PQerrorMessage) X(PQconsumeInput) X(PQexec) \
    X(PQexecParams) X(PQclear) X(PQresultStatus) X(PQresultErrorField) X(PQntuples) X(PQnfields) \
    X(PQftype) X(PQgetvalue) X(PQgetlength) X(PQgetisnull) X(PQcmdTuples) X(PQgetCancel) \
    X(PQfreeCancel) X(PQcancel) X(PQputCopyData) X(PQputCopyEnd) X(PQgetResult) X(PQbackendPID)

static struct {
#define FIELD(name) __typeof__(&name) name;
    PMQ_LIBPQ_FUNCTIONS(FIELD)
#undef FIELD
} pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = 0;
static const char *reason = "libpq was not loaded";

static void load(void) {
    // libpq.so.5 is the library's name since PostgreSQL 8.0; "libpq.so" is the development link.
    void *lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libpq.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *e = dlerror();
        reason = e ? e : "libpq.so.5 cannot be loaded";
        return;
    }
#define LOOKUP(name) \
    pq.name = (__typeof__(pq.name))dlsym(lib, #name); \
    if (!pq.name) { reason = "libpq.so.5 lacks " #name; return; }
    PMQ_LIBPQ_FUNCTIONS(LOOKUP)
#undef LOOKUP
    loaded = 1;
}

int pmq_libpq_load(const char **why) {
    pthread_once(&once, load);
    if (!loaded && why) *why = reason;
    return loaded;
}

#define READY (pmq_libpq_load(NULL))

PGconn *PQconnectdb(const char *conninfo) { return READY ? pq.PQconnectdb(conninfo) : NULL; }
void PQfinish(PGconn *conn) { if (READY) pq.PQfinish(conn); }
ConnStatusType PQstatus(const PGconn *conn) { return READY ? pq.PQstatus(conn) : CONNECTION_BAD; }
char *PQerrorMessage(const PGconn *conn) { return READY ? pq.PQerrorMessage(conn) : (char *)reason; }
int PQconsumeInput(PGconn *conn) { return READY ? pq.PQconsumeInput(conn) : 0; }
PGresult *PQexec(PGconn *conn, const char *query) { return READY ? pq.PQexec(conn, query) : NULL; }
PGresult *PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                       const char *const *paramValues, const int *paramLengths,
                       const int *paramFormats, int resultFormat) {
    return READY ? pq.PQexecParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat) : NULL;
}
void PQclear(PGresult *res) { if (READY) pq.PQclear(res); }
ExecStatusType PQresultStatus(const PGresult *res) { return READY ? pq.PQresultStatus(res) : PGRES_FATAL_ERROR; }
char *PQresultErrorField(const PGresult *res, int fieldcode) { return READY ? pq.PQresultErrorField(res, fieldcode) : NULL; }
int PQntuples(const PGresult *res) { return READY ? pq.PQntuples(res) : 0; }
int PQnfields(const PGresult *res) { return READY ? pq.PQnfields(res) : 0; }
Oid PQftype(const PGresult *res, int field_num) { return READY ? pq.PQftype(res, field_num) : 0; }
char *PQgetvalue(const PGresult *res, int tup_num, int field_num) { return READY ? pq.PQgetvalue(res, tup_num, field_num) : NULL; }
int PQgetlength(const PGresult *res, int tup_num, int field_num) { return READY ? pq.PQgetlength(res, tup_num, field_num) : 0; }
int PQgetisnull(const PGresult *res, int tup_num, int field_num) { return READY ? pq.PQgetisnull(res, tup_num, field_num) : 1; }
char *PQcmdTuples(PGresult *res) { return READY ? pq.PQcmdTuples(res) : (char *)""; }
PGcancel *PQgetCancel(PGconn *conn) { return READY ? pq.PQgetCancel(conn) : NULL; }
void PQfreeCancel(PGcancel *cancel) { if (READY) pq.PQfreeCancel(cancel); }
int PQcancel(PGcancel *cancel, char *errbuf, int errbufsize) { return READY ? pq.PQcancel(cancel, errbuf, errbufsize) : 0; }
int PQputCopyData(PGconn *conn, const char *buffer, int nbytes) { return READY ? pq.PQputCopyData(conn, buffer, nbytes) : -1; }
int PQputCopyEnd(PGconn *conn, const char *errormsg) { return READY ? pq.PQputCopyEnd(conn, errormsg) : -1; }
PGresult *PQgetResult(PGconn *conn) { return READY ? pq.PQgetResult(conn) : NULL; }
int PQbackendPID(const PGconn *conn) { return READY ? pq.PQbackendPID(conn) : 0; }

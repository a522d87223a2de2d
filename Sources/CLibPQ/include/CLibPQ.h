/*
 * The part of libpq's C API (libpq-fe.h, ABI version 5) that PMQ uses, for a libpq loaded
 * only when a postgresql:// URL is opened (see libpq.c). Linking libpq at build time made
 * every `pmq` process, a plain SQLite query included, load libpq and the thirty libraries
 * behind it (TLS, Kerberos, LDAP...): a third of its start-up CPU time (BENCHMARKS.md, s1).
 * The declarations are libpq's own (its ABI is stable across PostgreSQL versions); the
 * functions are PMQ's, hidden, and forward to the loaded library.
 */
#ifndef PMQ_CLIBPQ_H
#define PMQ_CLIBPQ_H

#define PMQ_HIDDEN __attribute__((visibility("hidden")))

typedef unsigned int Oid;
typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;
typedef struct pg_cancel PGcancel;

typedef enum {
    CONNECTION_OK,
    CONNECTION_BAD
} ConnStatusType;

typedef enum {
    PGRES_EMPTY_QUERY = 0,
    PGRES_COMMAND_OK,
    PGRES_TUPLES_OK,
    PGRES_COPY_OUT,
    PGRES_COPY_IN,
    PGRES_BAD_RESPONSE,
    PGRES_NONFATAL_ERROR,
    PGRES_FATAL_ERROR
} ExecStatusType;

/* Loads libpq (once); 1 when it is there, else 0 with *why set to the loader's reason
   (a static string). The functions below fail harmlessly (NULL, 0, CONNECTION_BAD) before. */
PMQ_HIDDEN int pmq_libpq_load(const char **why);

PMQ_HIDDEN PGconn *PQconnectdb(const char *conninfo);
PMQ_HIDDEN void PQfinish(PGconn *conn);
PMQ_HIDDEN ConnStatusType PQstatus(const PGconn *conn);
PMQ_HIDDEN char *PQerrorMessage(const PGconn *conn);
PMQ_HIDDEN int PQconsumeInput(PGconn *conn);
PMQ_HIDDEN PGresult *PQexec(PGconn *conn, const char *query);
PMQ_HIDDEN PGresult *PQexecParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes,
                                  const char *const *paramValues, const int *paramLengths,
                                  const int *paramFormats, int resultFormat);
PMQ_HIDDEN void PQclear(PGresult *res);
PMQ_HIDDEN ExecStatusType PQresultStatus(const PGresult *res);
PMQ_HIDDEN char *PQresultErrorField(const PGresult *res, int fieldcode);
PMQ_HIDDEN int PQntuples(const PGresult *res);
PMQ_HIDDEN int PQnfields(const PGresult *res);
PMQ_HIDDEN Oid PQftype(const PGresult *res, int field_num);
PMQ_HIDDEN char *PQgetvalue(const PGresult *res, int tup_num, int field_num);
PMQ_HIDDEN int PQgetlength(const PGresult *res, int tup_num, int field_num);
PMQ_HIDDEN int PQgetisnull(const PGresult *res, int tup_num, int field_num);
PMQ_HIDDEN char *PQcmdTuples(PGresult *res);
PMQ_HIDDEN PGcancel *PQgetCancel(PGconn *conn);
PMQ_HIDDEN void PQfreeCancel(PGcancel *cancel);
PMQ_HIDDEN int PQcancel(PGcancel *cancel, char *errbuf, int errbufsize);
/* COPY and the backend's pid: used by pmq-bench's PostgreSQL figures. */
PMQ_HIDDEN int PQputCopyData(PGconn *conn, const char *buffer, int nbytes);
PMQ_HIDDEN int PQputCopyEnd(PGconn *conn, const char *errormsg);
PMQ_HIDDEN PGresult *PQgetResult(PGconn *conn);
PMQ_HIDDEN int PQbackendPID(const PGconn *conn);

#endif

/*
 * pmq.h — the C ABI of PMQ, for hosts that are not Swift (Python, C, Go, ...).
 *
 * Link or load libPMQEmbed.so (built by `swift build`, in .build/debug or .build/release).
 * The library finds the Swift runtime through the run-path it was linked with; a host
 * that loads it from elsewhere sets LD_LIBRARY_PATH to the library's folder and to the
 * toolchain's usr/lib/swift/linux.
 *
 * Every function is safe to call with a NULL session (it fails cleanly). A session must
 * be used from one thread at a time; open one session per thread to share a file.
 */
#ifndef PMQ_H
#define PMQ_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pmq_session pmq_session;

/* The library's version, "X.Y.Z" (the same as `pmq --version` prints after "pmq ").
   A static string: do not free it. */
const char *pmq_version(void);

/* Opens a project database (created or upgraded as needed); NULL path: in memory.
   NULL on failure. */
pmq_session *pmq_open(const char *path);

/* pmq_open that can say why it failed: on failure it returns NULL and, when error is not
   NULL, sets *error to a malloc'd message ("not a PMQ database: ...", "cannot open
   database ...") to be freed with pmq_free. On success *error is set to NULL. */
pmq_session *pmq_open_v2(const char *path, char **error);

/* Flags for pmq_open_v3 (or-ed together; 0 is pmq_open_v2). */
#define PMQ_OPEN_INIT 1  /* add PMQ's tables to a database that holds other tables and no PMQ
                            schema, which is otherwise refused (as `pmq --init`); the other
                            tables are left as they are. Harmless on a new or PMQ database. */

/* pmq_open_v2 with flags; an unknown flag bit fails (NULL, *error says so). */
pmq_session *pmq_open_v3(const char *path, int flags, char **error);

/* Sets an option; 0 on success, -1 for an unknown option or a bad value.
   Options: "today" (YYYY-MM-DD), "readonly" ("1"/"0"), "files" ("1"/"0": import, export and report allowed),
   "files_outside" ("1"/"0", default "0": files outside the working directory allowed; when
   off, such a path is refused with the same message whether or not it exists),
   "max_memory" (bytes for one run, "0" for none; SQLite's heap limit is process-wide
   while a limited run lasts), "max_steps" (a number, "0" for
   none), "timeout_ms" (a number, "0" for none), "dry_run" ("1"/"0"), "var.NAME" (a
   script parameter, as pmq --var NAME=VALUE; -1 when NAME is not a name, and a value that
   does not convert is an error at the param quoting it as var.NAME=VALUE). */
int pmq_set_option(pmq_session *session, const char *name, const char *value);

/* Runs PMQ text as one transaction and returns malloc'd JSON, to be freed with pmq_free:
     {"ok":true,"results":[...]}   each result as `pmq --format json` prints it: rows as
                                   an array of objects, a count as the value, a change
                                   report as {"changed":N,"message":"..."}, print output
                                   as {"print":"..."}, a rule `check` found rows for as
                                   {"rule":"NAME","severity":"error","count":N,"new":M,
                                   "last_checked":"..."} before its rows; when an error
                                   rule had rows, "failed_rules":["NAME",...] follows
                                   "results" (what makes pmq exit 1; the changes are kept)
     {"ok":false,"diagnostics":[{"message":"...","line":L,"column":C,"id":"...","code":"..."}]}
                                   "code" is the stable id of the problem (unknown-field,
                                   duplicate, ...; docs/messages.md), "id" its coarse kind
                                   (syntax, type, refused, ...): match on these, not on
                                   the message, which may be improved
   NULL only when memory runs out. */
char *pmq_exec(pmq_session *session, const char *source);

void pmq_free(char *json);

/* Closes the session and its database connection. */
void pmq_close(pmq_session *session);

#ifdef __cplusplus
}
#endif

#endif

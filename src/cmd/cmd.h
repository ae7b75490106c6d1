/* cmd.h — the zhifa subcommands and what they share.
 *
 * Each command is `int zf_cmd_NAME(int argc, char **argv)` where argv[0] is
 * the command name; it returns the process exit code: 0 success, 1 failure,
 * 2 usage error (after printing a one-line reason to stderr). */
#ifndef ZF_CMD_H
#define ZF_CMD_H

#include "store/db.h"
#include "util/err.h"

int zf_cmd_init(int argc, char **argv);
int zf_cmd_serve(int argc, char **argv);
int zf_cmd_user(int argc, char **argv);
int zf_cmd_import(int argc, char **argv);
int zf_cmd_calendar(int argc, char **argv);
int zf_cmd_deadlines(int argc, char **argv);
int zf_cmd_verify(int argc, char **argv);  /* cmd/verify.c: offline tamper check */
int zf_cmd_witness(int argc, char **argv); /* cmd/witness.c: independent ledger witness */
int zf_cmd_report(int argc, char **argv);  /* cmd/report.c: annual report (年报) */
int zf_cmd_spotcheck(int argc, char **argv); /* cmd/spotcheck.c: re-run a 双随机 draw */
int zf_cmd_migrate_store(int argc, char **argv); /* cmd/migrate_store.c: SQLite → PostgreSQL (issue 9) */

/* The data directory: the flag's value if given, else $ZHIFA_DATA, else the
 * data_dir of nothing (NULL). */
const char *zf_cmd_data_dir(const char *flag_value);

/* Where the data directory's database is: the `database` key of
 * DIR/zhifa.conf (a postgres:// URL) when set, else the file DIR/zhifa.db.
 * Writes it to out (n bytes). */
int zf_cmd_db_location(char *out, size_t n, const char *data_dir, zf_err *err);

/* Opens the data directory's database (zf_cmd_db_location) and applies
 * migrations. Fails with a clear message if
 * DIR is not an initialised data directory. Caller closes. */
int zf_cmd_open_db(zf_db **out, const char *data_dir, zf_err *err);

/* Prints "zhifa CMD: REASON" and a hint to stderr; returns 2. */
int zf_cmd_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "zhifa: MESSAGE" from err to stderr; returns 1. */
int zf_cmd_fail(const zf_err *err);

/* True when argv contains -h or --help. */
int zf_cmd_wants_help(int argc, char **argv);

/* Current time as Unix seconds (the one place commands read the clock). */
long long zf_cmd_now(void);

#endif

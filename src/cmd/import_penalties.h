/* import_penalties.h — `zhifa import penalties FILE.csv` (issue 7): historical
 * 行政处罚 publicity records, published masked and searchable, with a report
 * of the rows rejected and why. See import_penalties.c for the columns. */
#ifndef ZF_CMD_IMPORT_PENALTIES_H
#define ZF_CMD_IMPORT_PENALTIES_H

/* argv[0] is "penalties". Exit code: 0 all rows imported or skipped as
 * already imported, 1 some rows rejected or a failure, 2 usage. */
int zf_cmd_import_penalties(int argc, char **argv);

#endif

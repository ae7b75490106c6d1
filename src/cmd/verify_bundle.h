/* verify_bundle.h — `zhifa verify --bundle FILE`: checks a 案卷 bundle (the
 * zip of GET /api/v1/cases/{id}/bundle, see src/api/bundle.c) offline, on any
 * machine, with nothing but the file:
 *
 *   1. every file's SHA-256 and size against manifest.json, and no file in
 *      the zip that the manifest does not list (nor listed and missing);
 *   2. the checkpoint's signature with the bundled public key;
 *   3. every ledger event: canonical RFC 8785 text, its leaf hash, its seq,
 *      and its inclusion proof against the checkpoint's size and root;
 *   4. every document, evidence file and the 归档 record covered by one of
 *      those events (the manifest names the leaf; its object and content
 *      hash must be the file's), and the 归档 record's lists matching the
 *      files in the bundle.
 *
 * Prints each problem naming the file or event, then a summary. Returns the
 * exit code: 0 intact, 1 anything wrong (or unreadable), 2 usage. */
#ifndef ZF_CMD_VERIFY_BUNDLE_H
#define ZF_CMD_VERIFY_BUNDLE_H

int zf_cmd_verify_bundle(const char *path);

#endif

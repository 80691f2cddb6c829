/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONFIG_PARSE_H
#define FMR_CONFIG_PARSE_H

/* The parts of config_parse, one per section of the config. */
#include "bundle.h"
#include "config_get.h"

void parse_process (struct pctx *pc, const struct json_node *n, struct fmr_process *p);
void parse_mounts (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);
void parse_linux (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);
void parse_seccomp (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);
/* PATH as written in the bundle: absolute, or relative to the bundle
 * directory ("." is the directory itself); caller frees. */
char *bundle_path (const char *bundle_dir, const char *path);
/* An absolute path without NUL; reports and returns false otherwise. */
bool check_absolute (struct pctx *pc, const char *path, const char *value);

#endif

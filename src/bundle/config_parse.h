/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_CONFIG_PARSE_H
#define FMR_CONFIG_PARSE_H

/* The parts of config_parse, one per section of the config. */
#include "bundle/bundle.h"
#include "bundle/config_get.h"

/* config_parse on text that lives in b->doc's arena, which it modifies
 * (config_load reads the file there). */
int config_parse_in_place (char *text, size_t len, const char *bundle_dir, struct fmr_bundle *b, struct diag_list *d);

void parse_process (struct pctx *pc, const struct json_node *n, struct fmr_process *p);
void parse_mounts (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);
void parse_linux (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);
/* PARENT.KEY, an array of {containerID, hostID, size} (config_linux.c). */
void parse_id_mappings (struct pctx *pc, const struct json_node *parent_node, const char *parent, const char *key,
                        struct fmr_id_mapping **out, size_t *n_out);
/* mounts[].uidMappings/gidMappings and idmap against linux.* (config_mounts.c). */
void validate_mount_idmaps (const struct fmr_bundle *b, struct diag_list *d);
void parse_seccomp (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);
void parse_sysctl (struct pctx *pc, const struct json_node *n, struct fmr_bundle *b);

#endif

/* The public output shapes (DESIGN.md "Interfaces"): effective routes like
 * `az network nic show-effective-route-table`, learned and advertised
 * routes like `az network routeserver peering list-learned-routes` /
 * `list-advertised-routes`. Built as JSON (jansson) so the offline command
 * and the live control socket answer alike; tables are printed from it. */
#ifndef RS_REPORT_H
#define RS_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "rib.h"

/* New references, or NULL on ENOMEM. */
json_t *rs_report_effective(const struct rs_rib *rib, int vnet, int subnet);
json_t *rs_report_learned(const struct rs_rib *rib, int peer);
json_t *rs_report_advertised(const struct rs_rib *rib, int peer);

/* Aligned human-readable tables from the JSON above. */
void rs_report_print_effective(FILE *f, const json_t *routes);
void rs_report_print_peer_routes(FILE *f, const json_t *by_instance);

/* "RouteServiceRole_IN_<i>" */
#define RS_INSTANCE_KEY_FMT "RouteServiceRole_IN_%d"

#endif

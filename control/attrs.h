/* BGP path attributes as the Route Server keeps them: one immutable,
 * reference-counted block per attribute set, shared by every prefix of the
 * UPDATE (or `announce:` entry) that carried it. The wire codec builds them,
 * the RIB stores them, advertisements read them. */
#ifndef RS_ATTRS_H
#define RS_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rs_origin { RS_ORIGIN_IGP = 0, RS_ORIGIN_EGP = 1, RS_ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271 4.3, RFC 5065). */
enum rs_seg_type {
	RS_AS_SET = 1,
	RS_AS_SEQUENCE = 2,
	RS_AS_CONFED_SEQUENCE = 3,
	RS_AS_CONFED_SET = 4,
};

struct rs_as_seg {
	uint8_t type;   /* enum rs_seg_type */
	uint8_t len;    /* ASNs in this segment, 1..255 */
};

/* An attribute rs_attrs does not interpret, kept as it came (flags, type,
 * value) so optional transitive attributes can be passed on with the
 * Partial bit set (RFC 4271 5). */
struct rs_raw_attr {
	uint8_t flags;
	uint8_t type;
	uint16_t len;
	const uint8_t *value;   /* points into rs_attrs' own storage */
};

struct rs_attrs {
	uint32_t refcnt;
	uint8_t origin;             /* enum rs_origin */
	bool has_med;
	bool has_local_pref;
	bool atomic_aggregate;
	uint32_t med;
	uint32_t local_pref;
	uint32_t next_hop;          /* host order */
	uint16_t n_segs;
	uint16_t n_asns;            /* sum of segs[].len */
	uint16_t n_communities;
	uint16_t n_raw;
	const struct rs_as_seg *segs;
	const uint32_t *asns;       /* all segments' ASNs, in order */
	const uint32_t *communities;
	const struct rs_raw_attr *raw;
};

/* What rs_attrs_new copies. Arrays may be NULL when their count is 0. */
struct rs_attrs_spec {
	uint8_t origin;
	bool has_med, has_local_pref, atomic_aggregate;
	uint32_t med, local_pref, next_hop;
	uint16_t n_segs, n_communities, n_raw;
	const struct rs_as_seg *segs;
	const uint32_t *asns;       /* sum of segs[].len entries */
	const uint32_t *communities;
	const struct rs_raw_attr *raw; /* values are copied too */
};

/* One allocation holding everything; refcnt starts at 1. NULL on ENOMEM or
 * when the segments' lengths do not add up (errno EINVAL). */
struct rs_attrs *rs_attrs_new(const struct rs_attrs_spec *spec);
/* A plain AS_SEQUENCE path; the usual case for `announce:` entries. */
struct rs_attrs *rs_attrs_new_seq(uint8_t origin, uint32_t next_hop,
				  const uint32_t *asns, uint16_t n_asns,
				  const uint32_t *communities,
				  uint16_t n_communities);
struct rs_attrs *rs_attrs_ref(struct rs_attrs *a);
void rs_attrs_unref(struct rs_attrs *a);

/* AS path length for best-path selection (RFC 4271 9.1.2.2 a): each ASN of
 * an AS_SEQUENCE counts 1, an AS_SET counts 1 whatever its size,
 * confederation segments count 0. */
unsigned rs_attrs_path_length(const struct rs_attrs *a);
bool rs_attrs_has_asn(const struct rs_attrs *a, uint32_t asn);
bool rs_attrs_has_community(const struct rs_attrs *a, uint32_t community);
/* Same attribute values (not the same pointer). */
bool rs_attrs_equal(const struct rs_attrs *a, const struct rs_attrs *b);
/* The AS path as Azure prints it: ASNs joined by '-', sets in braces, e.g.
 * "65515-65001" or "65001-{65010,65011}". Returns the length snprintf would. */
int rs_attrs_format_path(const struct rs_attrs *a, char *buf, size_t size);

#endif

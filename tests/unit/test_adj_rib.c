/* The prefix map of the Adj-RIBs (control/adj_rib.c): set, replace,
 * delete (backward shift), walk, checked against a plain array over many
 * random operations, and reference counting of the attributes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adj_rib.h"

#define N 3000

static struct rsemu_prefix nth(unsigned i)
{
	/* Few distinct addresses, several lengths: long probe runs. */
	uint8_t len = (uint8_t)(8 + i % 25);
	uint32_t addr = ((i * 2654435761u) & 0xFFFF0000u) & rsemu_mask(len);
	return (struct rsemu_prefix){addr, len};
}

static void random_against_reference(void **st)
{
	(void)st;
	static bool present[N];
	struct rs_adj_rib r = {0};
	struct rs_attrs *a = rs_attrs_new_seq(RS_ORIGIN_IGP, 1, NULL, 0, NULL, 0);
	srand(7);
	/* nth() may repeat a prefix: the reference keys by prefix too. */
	for (int step = 0; step < 200000; step++) {
		unsigned i = (unsigned)rand() % N;
		struct rsemu_prefix p = nth(i);
		unsigned first = i;
		for (unsigned k = 0; k < i; k++)
			if (rsemu_prefix_eq(nth(k), p)) {
				first = k;
				break;
			}
		if (rand() % 3) {
			assert_int_equal(rs_adj_rib_set(&r, p, a, NULL), 0);
			present[first] = true;
		} else {
			assert_int_equal(rs_adj_rib_del(&r, p), present[first]);
			present[first] = false;
		}
		if (step % 5000 == 0) {
			size_t n = 0;
			for (unsigned k = 0; k < N; k++) {
				bool in = rs_adj_rib_get(&r, nth(k)) != NULL;
				unsigned f = k;
				for (unsigned j = 0; j < k; j++)
					if (rsemu_prefix_eq(nth(j), nth(k))) {
						f = j;
						break;
					}
				assert_int_equal(in, present[f]);
				n += f == k && present[k];
			}
			assert_int_equal(r.n, n);
			size_t walked = 0;
			for (struct rs_adj_entry *e = rs_adj_rib_first(&r); e;
			     e = rs_adj_rib_next(&r, e))
				walked++;
			assert_int_equal(walked, n);
		}
	}
	rs_adj_rib_clear(&r);
	assert_int_equal(a->refcnt, 1);
	rs_attrs_unref(a);
}

static void references(void **st)
{
	(void)st;
	struct rs_adj_rib r = {0};
	struct rs_attrs *a = rs_attrs_new_seq(RS_ORIGIN_IGP, 1, NULL, 0, NULL, 0);
	struct rs_attrs *b = rs_attrs_new_seq(RS_ORIGIN_IGP, 2, NULL, 0, NULL, 0);
	struct rsemu_prefix p = {0x0A000000, 8};
	assert_int_equal(rs_adj_rib_set(&r, p, a, b), 0);
	assert_int_equal(a->refcnt, 2);
	assert_int_equal(b->refcnt, 2);
	assert_int_equal(rs_adj_rib_set(&r, p, b, NULL), 0); /* replace */
	assert_int_equal(a->refcnt, 1);
	assert_int_equal(b->refcnt, 2);
	assert_ptr_equal(rs_adj_rib_get(&r, p)->attrs, b);
	assert_null(rs_adj_rib_get(&r, p)->src);
	assert_true(rs_adj_rib_del(&r, p));
	assert_false(rs_adj_rib_del(&r, p));
	assert_int_equal(b->refcnt, 1);
	assert_int_equal(r.n, 0);
	assert_null(rs_adj_rib_first(&r));
	rs_adj_rib_clear(&r);
	rs_attrs_unref(a);
	rs_attrs_unref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_against_reference),
		cmocka_unit_test(references),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

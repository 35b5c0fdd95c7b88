/* The BGP-4 FSM (control/bgp_session.c), driven without sockets: each test
 * feeds events with a fake clock and checks the actions asked for, the
 * state, and the timers. Covers RFC 4271 8 (active and passive opening,
 * ConnectRetry, hold and keepalive timers), 6.8 (collisions) and the
 * Idle back-off used after a max-prefix Cease. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp_session.h"

#define S 1000000000ull /* ns per second */
#define RS_ID 0x0A00FE04u   /* 10.0.254.4 */
#define NVA_ID 0x0A000104u  /* 10.0.1.4 */

static struct rs_fsm f;
static struct rs_fsm_out out;
static uint64_t now;

static void init(uint32_t local_id)
{
	struct rs_fsm_cfg cfg = {
		.local_as = 65515,
		.local_id = local_id,
		.peer_as = 65001,
		.hold_s = 9,
		.keepalive_s = 3,
		.connect_retry_ms = 5000,
	};
	rs_fsm_init(&f, &cfg);
	now = 1000 * S;
	rs_fsm_out_reset(&out);
}

static int setup(void **st)
{
	(void)st;
	init(RS_ID);
	return 0;
}

/* The index of the first action of this type (and slot, unless -1), or
 * -1. */
static int find(uint8_t type, int slot)
{
	for (unsigned i = 0; i < out.n; i++)
		if (out.v[i].type == type && (slot < 0 || out.v[i].slot == slot))
			return (int)i;
	return -1;
}

static bool has(uint8_t type, int slot)
{
	return find(type, slot) >= 0;
}

static void reset_out(void)
{
	rs_fsm_out_reset(&out);
}

/* --- messages from the peer ----------------------------------------------- */

static uint8_t buf[RS_BGP_MAX_LEN];

static size_t open_msg(uint32_t asn, uint16_t hold, uint32_t id)
{
	struct rs_bgp_open o;
	rs_bgp_open_init(&o, asn, hold, id);
	return (size_t)rs_bgp_open_build(&o, buf, sizeof(buf));
}

static void rx_open(int slot, uint32_t asn, uint16_t hold, uint32_t id)
{
	size_t n = open_msg(asn, hold, id);
	reset_out();
	rs_fsm_message(&f, slot, RS_BGP_OPEN, buf, n, now, &out);
}

static void rx(int slot, uint8_t type)
{
	int n = 0;
	struct rs_bgp_notify nt;
	switch (type) {
	case RS_BGP_KEEPALIVE: n = rs_bgp_keepalive_build(buf, sizeof(buf)); break;
	case RS_BGP_UPDATE: n = rs_bgp_eor_build(buf, sizeof(buf)); break;
	case RS_BGP_NOTIFICATION:
		rs_bgp_notify_set(&nt, RS_BGP_ERR_CEASE, RS_BGP_CEASE_ADMIN_SHUTDOWN);
		n = rs_bgp_notification_build(&nt, buf, sizeof(buf));
		break;
	case RS_BGP_ROUTE_REFRESH:
		n = rs_bgp_route_refresh_build(1, 1, buf, sizeof(buf));
		break;
	}
	assert_true(n > 0);
	reset_out();
	rs_fsm_message(&f, slot, type, buf, (size_t)n, now, &out);
}

static void timers_at(uint64_t t)
{
	now = t;
	reset_out();
	rs_fsm_timers(&f, now, &out);
}

/* Active opening up to Established over slot OUT. */
static void establish_out(void)
{
	reset_out();
	rs_fsm_start(&f, now, &out);
	reset_out();
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65001, 9, NVA_ID);
	rx(RS_SLOT_OUT, RS_BGP_KEEPALIVE);
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ESTABLISHED);
}

/* --- opening ------------------------------------------------------------------ */

static void starts_idle_then_connects(void **st)
{
	(void)st;
	assert_int_equal(rs_fsm_state(&f), RS_FSM_IDLE);
	assert_int_equal(rs_fsm_next_timer(&f), 0);
	rs_fsm_start(&f, now, &out);
	assert_int_equal(out.n, 1);
	assert_true(has(RS_ACT_CONNECT, RS_SLOT_OUT));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_CONNECT);
	assert_int_equal(rs_fsm_next_timer(&f), now + 5 * S); /* ConnectRetry */
}

static void active_open(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	reset_out();
	rs_fsm_connected(&f, now, &out);
	assert_true(has(RS_ACT_SEND_OPEN, RS_SLOT_OUT));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_OPENSENT);
	/* OpenSent: the hold timer at its large value, no ConnectRetry. */
	assert_int_equal(rs_fsm_next_timer(&f), now + RS_FSM_OPEN_HOLD_S * S);

	rx_open(RS_SLOT_OUT, 65001, 9, NVA_ID);
	assert_true(has(RS_ACT_SEND_KEEPALIVE, RS_SLOT_OUT));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_OPENCONFIRM);
	assert_int_equal(f.c[RS_SLOT_OUT].open.bgp_id, NVA_ID);

	rx(RS_SLOT_OUT, RS_BGP_KEEPALIVE);
	assert_int_equal(out.n, 1);
	assert_true(has(RS_ACT_ESTABLISHED, RS_SLOT_OUT));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ESTABLISHED);
	assert_int_equal(f.est, RS_SLOT_OUT);
}

static void passive_open_replaces_connect(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	reset_out();
	assert_true(rs_fsm_accept(&f, now, &out));
	/* Connect state: our attempt is dropped, the peer's taken. */
	int c = find(RS_ACT_CLOSE, RS_SLOT_OUT), o = find(RS_ACT_SEND_OPEN, RS_SLOT_IN);
	assert_true(c >= 0 && o > c);
	assert_int_equal(f.c[RS_SLOT_OUT].st, RS_FSM_IDLE);
	rx_open(RS_SLOT_IN, 65001, 9, NVA_ID);
	rx(RS_SLOT_IN, RS_BGP_KEEPALIVE);
	assert_true(has(RS_ACT_ESTABLISHED, RS_SLOT_IN));
	assert_int_equal(f.est, RS_SLOT_IN);
}

static void hold_negotiated_and_keepalive_scaled(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65001, 3, NVA_ID); /* min(9, 3) = 3 */
	assert_int_equal(f.c[RS_SLOT_OUT].hold_ms, 3000);
	assert_int_equal(f.c[RS_SLOT_OUT].keepalive_ms, 1000); /* 3 * 3/9 */
	assert_int_equal(f.c[RS_SLOT_OUT].hold_at, now + 3 * S);
}

static void hold_zero_means_no_timers(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65001, 0, NVA_ID);
	rx(RS_SLOT_OUT, RS_BGP_KEEPALIVE);
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ESTABLISHED);
	assert_int_equal(f.c[RS_SLOT_OUT].hold_ms, 0);
	assert_int_equal(rs_fsm_next_timer(&f), 0);
}

/* --- ConnectRetry --------------------------------------------------------------- */

static void connect_refused_then_retry(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	uint64_t retry = rs_fsm_next_timer(&f);
	reset_out();
	rs_fsm_closed(&f, RS_SLOT_OUT, "refused", now + S, &out);
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_OUT));
	assert_false(has(RS_ACT_DOWN, -1));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ACTIVE);
	assert_int_equal(rs_fsm_next_timer(&f), retry);
	timers_at(retry - 1);
	assert_int_equal(out.n, 0);
	timers_at(retry);
	assert_true(has(RS_ACT_CONNECT, RS_SLOT_OUT));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_CONNECT);
}

static void connect_timeout_restarts_attempt(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	timers_at(now + 5 * S);
	int c = find(RS_ACT_CLOSE, RS_SLOT_OUT), k = find(RS_ACT_CONNECT, RS_SLOT_OUT);
	assert_true(c >= 0 && k > c);
	assert_int_equal(rs_fsm_next_timer(&f), now + 5 * S);
}

static void active_state_accepts(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_closed(&f, RS_SLOT_OUT, "refused", now, &out);
	reset_out();
	assert_true(rs_fsm_accept(&f, now, &out));
	assert_true(has(RS_ACT_SEND_OPEN, RS_SLOT_IN));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_OPENSENT);
	/* ConnectRetry stopped: only the OpenSent hold timer runs. */
	assert_int_equal(rs_fsm_next_timer(&f), now + RS_FSM_OPEN_HOLD_S * S);
}

/* --- timers in Established ------------------------------------------------------- */

static void keepalive_timer_sends(void **st)
{
	(void)st;
	establish_out();
	uint64_t ka = f.c[RS_SLOT_OUT].keepalive_at;
	assert_int_equal(ka, now + 3 * S);
	timers_at(ka);
	assert_int_equal(out.n, 1);
	assert_true(has(RS_ACT_SEND_KEEPALIVE, RS_SLOT_OUT));
	assert_int_equal(f.c[RS_SLOT_OUT].keepalive_at, ka + 3 * S);
}

static void hold_timer_expiry(void **st)
{
	(void)st;
	establish_out();
	uint64_t hold = f.c[RS_SLOT_OUT].hold_at;
	assert_int_equal(hold, now + 9 * S);
	timers_at(hold);
	int n = find(RS_ACT_SEND_NOTIFY, RS_SLOT_OUT), c = find(RS_ACT_CLOSE, RS_SLOT_OUT),
	    d = find(RS_ACT_DOWN, -1);
	assert_true(n >= 0 && c > n && d > c);
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_HOLD_TIMER);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, 0);
	assert_true(out.hold_expired);
	assert_non_null(strstr(out.down, "hold timer expired"));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ACTIVE);
	assert_int_equal(f.est, -1);
	/* Back to ConnectRetry. */
	assert_int_equal(rs_fsm_next_timer(&f), now + 5 * S);
}

static void messages_restart_hold_timer(void **st)
{
	(void)st;
	establish_out();
	uint64_t t0 = now;
	now = t0 + 8 * S;
	rx(RS_SLOT_OUT, RS_BGP_KEEPALIVE);
	assert_int_equal(f.c[RS_SLOT_OUT].hold_at, now + 9 * S);
	now = t0 + 16 * S;
	rx(RS_SLOT_OUT, RS_BGP_UPDATE);
	assert_true(has(RS_ACT_DELIVER, RS_SLOT_OUT));
	timers_at(t0 + 20 * S);
	assert_false(has(RS_ACT_DOWN, -1));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ESTABLISHED);
}

static void opensent_hold_expiry(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	timers_at(now + RS_FSM_OPEN_HOLD_S * S);
	assert_true(has(RS_ACT_SEND_NOTIFY, RS_SLOT_OUT));
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_HOLD_TIMER);
	assert_false(has(RS_ACT_DOWN, -1)); /* never was up */
	assert_false(out.hold_expired);
}

/* --- messages ---------------------------------------------------------------------- */

static void bad_peer_as(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65099, 9, NVA_ID);
	assert_true(has(RS_ACT_SEND_NOTIFY, RS_SLOT_OUT));
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_OUT));
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_OPEN);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_OPEN_BAD_PEER_AS);
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ACTIVE);
}

static void our_own_identifier_refused(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65001, 9, RS_ID);
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_OPEN);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_OPEN_BAD_BGP_ID);
}

static void unexpected_messages_are_fsm_errors(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx(RS_SLOT_OUT, RS_BGP_KEEPALIVE); /* before OPEN */
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_FSM);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_FSM_IN_OPENSENT);

	init(RS_ID);
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65001, 9, NVA_ID);
	rx(RS_SLOT_OUT, RS_BGP_UPDATE); /* in OpenConfirm */
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_FSM);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_FSM_IN_OPENCONFIRM);
	assert_false(has(RS_ACT_DELIVER, -1));

	init(RS_ID);
	establish_out();
	rx_open(RS_SLOT_OUT, 65001, 9, NVA_ID); /* in Established */
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_FSM_IN_ESTABLISHED);
	assert_true(has(RS_ACT_DOWN, -1));
}

static void notification_received_takes_session_down(void **st)
{
	(void)st;
	establish_out();
	rx(RS_SLOT_OUT, RS_BGP_NOTIFICATION);
	assert_false(has(RS_ACT_SEND_NOTIFY, -1)); /* never answer one */
	int c = find(RS_ACT_CLOSE, RS_SLOT_OUT), d = find(RS_ACT_DOWN, -1);
	assert_true(c >= 0 && d > c);
	assert_non_null(strstr(out.down, "NOTIFICATION received: Cease/"));
	assert_false(out.hold_expired);
}

static void update_and_refresh_delivered(void **st)
{
	(void)st;
	establish_out();
	rx(RS_SLOT_OUT, RS_BGP_UPDATE);
	assert_int_equal(out.n, 1);
	assert_true(has(RS_ACT_DELIVER, RS_SLOT_OUT));
	rx(RS_SLOT_OUT, RS_BGP_ROUTE_REFRESH);
	assert_true(has(RS_ACT_DELIVER, RS_SLOT_OUT));
}

static void tcp_closed_in_established(void **st)
{
	(void)st;
	establish_out();
	reset_out();
	rs_fsm_closed(&f, RS_SLOT_OUT, "connection reset by the peer", now, &out);
	assert_true(has(RS_ACT_DOWN, -1));
	assert_string_equal(out.down, "connection reset by the peer");
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ACTIVE);
}

static void local_error_sends_notification(void **st)
{
	(void)st;
	establish_out();
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, RS_BGP_ERR_UPDATE, RS_BGP_UPD_MALFORMED_ATTR_LIST);
	reset_out();
	rs_fsm_error(&f, RS_SLOT_OUT, &n, "bad UPDATE", now, &out);
	assert_int_equal(out.notify[RS_SLOT_OUT].code, RS_BGP_ERR_UPDATE);
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_OUT));
	assert_true(has(RS_ACT_DOWN, -1));
}

/* --- collisions (RFC 4271 6.8) ------------------------------------------------------- */

static void collision_loser_rule(void **st)
{
	(void)st;
	/* The connection opened by the higher identifier survives. */
	assert_int_equal(rs_fsm_collision_loser(RS_ID, NVA_ID), RS_SLOT_IN);
	assert_int_equal(rs_fsm_collision_loser(NVA_ID, RS_ID), RS_SLOT_OUT);
}

/* Ours in OpenConfirm, the peer's connection arrives and sends OPEN. */
static void collide(void)
{
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	rx_open(RS_SLOT_OUT, 65001, 9, NVA_ID);
	assert_int_equal(f.c[RS_SLOT_OUT].st, RS_FSM_OPENCONFIRM);
	reset_out();
	assert_true(rs_fsm_accept(&f, now, &out));
	assert_true(has(RS_ACT_SEND_OPEN, RS_SLOT_IN));
	assert_false(has(RS_ACT_CLOSE, -1));
	rx_open(RS_SLOT_IN, 65001, 9, NVA_ID);
}

static void collision_local_id_higher_keeps_ours(void **st)
{
	(void)st;
	collide(); /* 10.0.254.4 > 10.0.1.4 */
	assert_true(has(RS_ACT_SEND_NOTIFY, RS_SLOT_IN));
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_IN));
	assert_int_equal(out.notify[RS_SLOT_IN].code, RS_BGP_ERR_CEASE);
	assert_int_equal(out.notify[RS_SLOT_IN].subcode, RS_BGP_CEASE_COLLISION);
	assert_false(has(RS_ACT_CLOSE, RS_SLOT_OUT));
	assert_false(has(RS_ACT_SEND_KEEPALIVE, RS_SLOT_IN));
	assert_int_equal(f.c[RS_SLOT_OUT].st, RS_FSM_OPENCONFIRM);
	assert_int_equal(f.c[RS_SLOT_IN].st, RS_FSM_IDLE);
	rx(RS_SLOT_OUT, RS_BGP_KEEPALIVE);
	assert_true(has(RS_ACT_ESTABLISHED, RS_SLOT_OUT));
}

static void collision_local_id_lower_keeps_theirs(void **st)
{
	(void)st;
	init(0x0A000001u); /* 10.0.0.1 < 10.0.1.4 */
	collide();
	assert_true(has(RS_ACT_SEND_NOTIFY, RS_SLOT_OUT));
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_OUT));
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_CEASE_COLLISION);
	assert_true(has(RS_ACT_SEND_KEEPALIVE, RS_SLOT_IN));
	assert_int_equal(f.c[RS_SLOT_IN].st, RS_FSM_OPENCONFIRM);
	assert_int_equal(f.c[RS_SLOT_OUT].st, RS_FSM_IDLE);
	rx(RS_SLOT_IN, RS_BGP_KEEPALIVE);
	assert_true(has(RS_ACT_ESTABLISHED, RS_SLOT_IN));
	assert_int_equal(f.est, RS_SLOT_IN);
}

static void collision_both_opensent_resolved_on_second_open(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	rs_fsm_connected(&f, now, &out);
	assert_true(rs_fsm_accept(&f, now, &out));
	/* The peer's OPEN on its connection first: no collision yet. */
	rx_open(RS_SLOT_IN, 65001, 9, NVA_ID);
	assert_false(has(RS_ACT_CLOSE, -1));
	assert_int_equal(f.c[RS_SLOT_IN].st, RS_FSM_OPENCONFIRM);
	/* Then on ours: now both are known; ours survives (higher id). */
	rx_open(RS_SLOT_OUT, 65001, 9, NVA_ID);
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_IN));
	assert_true(has(RS_ACT_SEND_KEEPALIVE, RS_SLOT_OUT));
	assert_int_equal(f.c[RS_SLOT_OUT].st, RS_FSM_OPENCONFIRM);
}

static void collision_with_established_closes_new(void **st)
{
	(void)st;
	establish_out();
	reset_out();
	assert_true(rs_fsm_accept(&f, now, &out));
	rx_open(RS_SLOT_IN, 65001, 9, NVA_ID);
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_IN));
	assert_int_equal(out.notify[RS_SLOT_IN].subcode, RS_BGP_CEASE_COLLISION);
	assert_false(has(RS_ACT_DOWN, -1));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_ESTABLISHED);
	assert_int_equal(f.est, RS_SLOT_OUT);
}

static void third_connection_refused(void **st)
{
	(void)st;
	establish_out();
	assert_true(rs_fsm_accept(&f, now, &out));
	reset_out();
	assert_false(rs_fsm_accept(&f, now, &out)); /* slot IN busy */
	assert_int_equal(out.n, 0);
}

/* --- stop and back-off ----------------------------------------------------------------- */

static void stop_backs_off_then_restarts(void **st)
{
	(void)st;
	establish_out();
	struct rs_bgp_notify n;
	rs_bgp_notify_max_prefixes(&n, 1, 1, 3);
	reset_out();
	rs_fsm_stop(&f, &n, 30000, "max-prefix", now, &out);
	int s = find(RS_ACT_SEND_NOTIFY, RS_SLOT_OUT), c = find(RS_ACT_CLOSE, RS_SLOT_OUT),
	    d = find(RS_ACT_DOWN, -1);
	assert_true(s >= 0 && c > s && d > c);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_CEASE_MAX_PREFIXES);
	assert_int_equal(out.notify[RS_SLOT_OUT].data_len, 7);
	assert_int_equal(rs_fsm_state(&f), RS_FSM_IDLE);
	reset_out();
	assert_false(rs_fsm_accept(&f, now + S, &out)); /* Idle refuses */
	assert_int_equal(rs_fsm_next_timer(&f), now + 30 * S);
	timers_at(now + 29 * S);
	assert_int_equal(out.n, 0);
	timers_at(now + S);
	assert_true(has(RS_ACT_CONNECT, RS_SLOT_OUT));
	assert_int_equal(rs_fsm_state(&f), RS_FSM_CONNECT);
}

static void stop_for_good(void **st)
{
	(void)st;
	establish_out();
	struct rs_bgp_notify n;
	rs_bgp_notify_set(&n, RS_BGP_ERR_CEASE, RS_BGP_CEASE_ADMIN_SHUTDOWN);
	reset_out();
	rs_fsm_stop(&f, &n, 0, "shutdown", now, &out);
	assert_int_equal(out.notify[RS_SLOT_OUT].subcode, RS_BGP_CEASE_ADMIN_SHUTDOWN);
	assert_int_equal(rs_fsm_next_timer(&f), 0);
	timers_at(now + 3600 * S);
	assert_int_equal(out.n, 0);
}

static void stop_while_connecting_sends_nothing(void **st)
{
	(void)st;
	rs_fsm_start(&f, now, &out);
	reset_out();
	rs_fsm_stop(&f, NULL, 0, "shutdown", now, &out);
	assert_false(has(RS_ACT_SEND_NOTIFY, -1));
	assert_true(has(RS_ACT_CLOSE, RS_SLOT_OUT));
	assert_false(has(RS_ACT_DOWN, -1));
}

static void state_names(void **st)
{
	(void)st;
	assert_string_equal(rs_fsm_state_name(RS_FSM_IDLE), "Idle");
	assert_string_equal(rs_fsm_state_name(RS_FSM_ACTIVE), "Active");
	assert_string_equal(rs_fsm_state_name(RS_FSM_ESTABLISHED), "Established");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
	const struct CMUnitTest tests[] = {
		T(starts_idle_then_connects),
		T(active_open),
		T(passive_open_replaces_connect),
		T(hold_negotiated_and_keepalive_scaled),
		T(hold_zero_means_no_timers),
		T(connect_refused_then_retry),
		T(connect_timeout_restarts_attempt),
		T(active_state_accepts),
		T(keepalive_timer_sends),
		T(hold_timer_expiry),
		T(messages_restart_hold_timer),
		T(opensent_hold_expiry),
		T(bad_peer_as),
		T(our_own_identifier_refused),
		T(unexpected_messages_are_fsm_errors),
		T(notification_received_takes_session_down),
		T(update_and_refresh_delivered),
		T(tcp_closed_in_established),
		T(local_error_sends_notification),
		T(collision_loser_rule),
		T(collision_local_id_higher_keeps_ours),
		T(collision_local_id_lower_keeps_theirs),
		T(collision_both_opensent_resolved_on_second_open),
		T(collision_with_established_closes_new),
		T(third_connection_refused),
		T(stop_backs_off_then_restarts),
		T(stop_for_good),
		T(stop_while_connecting_sends_nothing),
		T(state_names),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}

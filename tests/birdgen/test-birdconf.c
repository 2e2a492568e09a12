/* birdconf against wgmesh 1.0: the configs rendered for the fixture's two hosts carry the same
 * router id, local AS, BGP sessions, interfaces, neighbours and ASNs as 1.0's
 * bird_private.conf, and every other line differs only where ALLOWED_* below says we meant to.
 * Both from plans filled by hand and from the plan the manager builds out of the fixture's
 * deploy records and host states. Then the path helpers and birdgen_write (atomic, only when changed, include dir made).
 * usage: test-birdconf FIXTURE_DIR TMP_DIR */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "atomicfile.h"
#include "birdconf.h"
#include "check.h"
#include "hoststate.h"
#include "records.h"
#include "testplan.h"
#include "txtchunk.h"

#define MAX_LINES 256
#define MAX_SESSIONS 8

struct session {
	char name[64], iface[64], neighbor[INET6_ADDRSTRLEN];
	unsigned long asn;
};

struct parsed {
	char router_id[32];
	unsigned long local_as;
	size_t n_sessions;
	struct session sessions[MAX_SESSIONS];
	size_t n_lines;
	char lines[MAX_LINES][128]; /* significant lines, trimmed, addresses canonical */
};

/* The differences we made on purpose (docs/differences-from-1.0.md#bird): lines only 1.0
 * has, lines only we have, with why. %s is the plan's veth_inner. */
static const char *const allowed_only_10[] = {
	"interface \"-private*\";", /* matched nothing; ours names the real veth */
	"if ( net ~ [ 172.16.0.0/16+, 10.0.0.0/8+, 192.168.0.0/16+ ] ) then accept;", /* /12 */
	"bfd graceful;", /* kept dead links' routes stale for 120 s */
	"interval 50 ms;", /* 1.0's BFD rate, without a multiplier: BIRD's 5 */
};
static const char *const allowed_only_ours[] = {
	"interface \"-%s\";",
	"if ( net ~ [ 172.16.0.0/12+, 10.0.0.0/8+, 192.168.0.0/16+ ] ) then accept;",
	"interval 10 ms;",        /* 10 ms x 5: 50 ms detection */
	"multiplier 5;",
	"bfd on;",                /* a BFD down withdraws routes at once */
	"connect delay time 1;",  /* fast (re)connects after a failure */
	"connect retry time 5;",
	"error wait time 1, 16;",
	"error forget time 60;",
	/* private destinations without a mesh route: unreachable, not sent to the underlay */
	"protocol static UNREACHABLE4 {",
	"ipv4 { preference 1; };",
	"route 10.0.0.0/8 unreachable;",
	"route 172.16.0.0/12 unreachable;",
	"route 192.168.0.0/16 unreachable;",
	/* drain (RFC 8326): the state from its own file, honoured on import, marked on export */
	"include \"/etc/bird/bird_private_drain.conf\";",
	"if ( (65535, 0) ~ bgp_community ) then bgp_local_pref = 0;",
	"export filter {",
	"if ( proto = \"UNREACHABLE4\" ) then reject;", /* BGP IPv4: not to the peers */
	"if ( WGMESH_DRAINED != 0 && source = RTS_BGP ) then bgp_community.add((65535, 0));",
	"accept;",
};
/* Lines both have, a different number of times: ours minus 1.0's. */
static const struct {
	const char *line;
	int delta;
} allowed_count_changes[] = {
	{ "export all;", -2 }, /* BGP exports through a filter (drain, not UNREACHABLE4) */
	{ "};", +2 },          /* the two export filters' ends */
	{ "}", +1 },           /* the UNREACHABLE4 protocol's end */
};

static bool count_change_allowed(const char *line, size_t ours, size_t old)
{
	size_t i;

	for (i = 0; i < sizeof(allowed_count_changes) / sizeof(*allowed_count_changes); i++)
		if (!strcmp(line, allowed_count_changes[i].line))
			return (long)ours - (long)old == allowed_count_changes[i].delta;
	return false;
}

static void trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	while (s[i] == ' ' || s[i] == '\t')
		i++;
	memmove(s, s + i, n - i + 1);
}

/* Small line parser for the subset both files use; canonicalises neighbour addresses so
 * 1.0's "fd42:...:0201::2" and our "fd42:...:201::2" compare equal. */
static int parse(const char *text, struct parsed *p)
{
	char *copy = strdup(text), *save = NULL, *line;
	struct session *cur = NULL;

	memset(p, 0, sizeof(*p));
	if (!copy)
		return -ENOMEM;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], addr[64], canon[INET6_ADDRSTRLEN];
		struct in6_addr a6;
		unsigned long asn;

		trim(line);
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "neighbor %63s as %lu external;", addr, &asn) == 2 &&
		    inet_pton(AF_INET6, addr, &a6) == 1) {
			inet_ntop(AF_INET6, &a6, canon, sizeof(canon));
			if (cur) {
				snprintf(cur->neighbor, sizeof(cur->neighbor), "%s", canon);
				cur->asn = asn;
			}
			snprintf(line, strlen(line) + 1, "neighbor %s as %lu external;", canon, asn);
		} else if (sscanf(line, "router id %31[0-9.];", p->router_id) == 1) {
		} else if (sscanf(line, "local as %lu;", &p->local_as) == 1) {
		} else if (sscanf(line, "protocol bgp %63s from mesh_partner {", name) == 1 &&
			   p->n_sessions < MAX_SESSIONS) {
			cur = &p->sessions[p->n_sessions++];
			snprintf(cur->name, sizeof(cur->name), "%s", name);
		} else if (cur && sscanf(line, "interface \"%31[^\"]\";", name) == 1) {
			snprintf(cur->iface, sizeof(cur->iface), "%s", name);
		} else if (!strcmp(line, "}")) {
			cur = NULL;
		}
		if (p->n_lines < MAX_LINES)
			snprintf(p->lines[p->n_lines++], sizeof(p->lines[0]), "%s", line);
	}
	free(copy);
	return 0;
}

static size_t count_line(const struct parsed *p, const char *line)
{
	size_t i, n = 0;

	for (i = 0; i < p->n_lines; i++)
		n += !strcmp(p->lines[i], line);
	return n;
}

static bool in_list(const char *line, const char *const *list, size_t n, const char *veth)
{
	char want[128];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), list[i], veth);
		if (!strcmp(line, want))
			return true;
	}
	return false;
}

static void golden(const char *fixture, const char *host, const struct wgm_node_plan *pp)
{
	struct wgm_buf ours = { 0 };
	struct parsed *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	char path[4096], *old = NULL;
	size_t len, i;

	CHECK(a && b);
	if (!a || !b)
		goto out;
	snprintf(path, sizeof(path), "%s/hosts/%s/etc-bird/bird_private.conf", fixture, host);
	CHECK_INTEQ(wgm_read_file(path, 1 << 20, &old, &len), 0);
	CHECK_INTEQ(birdgen_render(pp, "/etc/bird", &ours), 0);
	if (!old || !ours.p)
		goto out;
	parse(old, a);
	parse((const char *)ours.p, b);

	fprintf(stderr, "%s: 1.0 router id %s as %lu, %zu sessions\n", host, a->router_id,
		a->local_as, a->n_sessions);
	CHECK(*a->router_id);
	CHECK_STREQ(b->router_id, a->router_id);
	CHECK(a->local_as > 0);
	CHECK_INTEQ(b->local_as, a->local_as);
	CHECK(a->n_sessions > 0);
	CHECK_INTEQ(b->n_sessions, a->n_sessions);
	for (i = 0; i < a->n_sessions && i < b->n_sessions; i++) {
		CHECK_STREQ(b->sessions[i].name, a->sessions[i].name);
		CHECK_STREQ(b->sessions[i].iface, a->sessions[i].iface);
		CHECK_STREQ(b->sessions[i].neighbor, a->sessions[i].neighbor);
		CHECK(*a->sessions[i].neighbor);
		CHECK_INTEQ(b->sessions[i].asn, a->sessions[i].asn);
	}

	/* Every line is in both files as often, or on the allowed list of its side. */
	for (i = 0; i < a->n_lines; i++) {
		const char *line = a->lines[i];
		bool ok = count_line(b, line) == count_line(a, line) ||
			  count_change_allowed(line, count_line(b, line), count_line(a, line)) ||
			  in_list(line, allowed_only_10,
				  sizeof(allowed_only_10) / sizeof(*allowed_only_10), pp->veth_inner);

		if (!ok)
			fprintf(stderr, "%s: 1.0 line not rendered: \"%s\"\n", host, line);
		CHECK(ok);
	}
	for (i = 0; i < b->n_lines; i++) {
		const char *line = b->lines[i];
		bool ok = count_line(b, line) == count_line(a, line) ||
			  count_change_allowed(line, count_line(b, line), count_line(a, line)) ||
			  in_list(line, allowed_only_ours,
				  sizeof(allowed_only_ours) / sizeof(*allowed_only_ours),
				  pp->veth_inner);

		if (!ok)
			fprintf(stderr, "%s: unexpected new line: \"%s\"\n", host, line);
		CHECK(ok);
	}
	/* Each allowed difference really is one: in 1.0 and not in ours, or the reverse. */
	for (i = 0; i < sizeof(allowed_only_10) / sizeof(*allowed_only_10); i++) {
		CHECK(count_line(a, allowed_only_10[i]) > 0);
		CHECK_INTEQ(count_line(b, allowed_only_10[i]), 0);
	}
	for (i = 0; i < sizeof(allowed_only_ours) / sizeof(*allowed_only_ours); i++) {
		char want[128];

		snprintf(want, sizeof(want), allowed_only_ours[i], pp->veth_inner);
		CHECK(count_line(b, want) > 0);
		CHECK_INTEQ(count_line(a, want), 0);
	}
	for (i = 0; i < sizeof(allowed_count_changes) / sizeof(*allowed_count_changes); i++)
		CHECK_INTEQ((long)count_line(b, allowed_count_changes[i].line) -
				    (long)count_line(a, allowed_count_changes[i].line),
			    allowed_count_changes[i].delta);
out:
	free(old);
	free(a);
	free(b);
	wgm_buf_free(&ours);
}

/* The plan the manager would build: the fixture's record opened with the host's key, against
 * its host state, with "netns: private" as an operator keeping 1.0's names would set. */
static struct wgm_node_plan *plan_from_fixture(const char *fixture, const char *host,
					       const char *uuid)
{
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_host_state hs = { 0 };
	struct wgm_strv txt = { 0 };
	struct wgm_buf payload = { 0 };
	struct wgm_key host_sk = { 0 };
	char path[4096], err[512] = "", *data = NULL, *save = NULL, *line;
	size_t len;
	int ret = -ENOMEM;

	if (!plan || !rec)
		goto out;
	snprintf(path, sizeof(path), "%s/records/%s.wg.example.com.txt", fixture, uuid);
	ret = wgm_read_file(path, WGM_RECORD_MAX * 2, &data, &len);
	for (line = data ? strtok_r(data, "\n", &save) : NULL; line && !ret;
	     line = strtok_r(NULL, "\n", &save))
		ret = wgm_strv_push(&txt, line);
	snprintf(path, sizeof(path), "%s/hosts/%s/etc-wireguard/lab_priv", fixture, host);
	/* The fixture's key files are 0444: not loaded as secrets. */
	if (!ret)
		ret = wgm_key_load(&host_sk, path, false);
	snprintf(path, sizeof(path), "%s/hosts/%s/etc-wireguard/wg.example.com.yaml", fixture, host);
	if (!ret)
		ret = wgm_host_state_load(path, &hs, err, sizeof(err));
	if (!ret)
		ret = wgm_txt_decode((const char *const *)txt.v, txt.n, &payload, err, sizeof(err));
	if (!ret)
		ret = wgm_deploy_open(payload.p, payload.len, &host_sk, &hs.site_public_key, rec, err,
				      sizeof(err));
	if (!ret) {
		snprintf(hs.netns, sizeof(hs.netns), "private");
		ret = wgm_plan_build(rec, &hs, &host_sk, plan, err, sizeof(err));
	}
out:
	if (ret)
		fprintf(stderr, "%s: no plan from the fixture: %s (%d)\n", host, err, ret);
	CHECK_INTEQ(ret, 0);
	if (ret && plan) {
		free(plan);
		plan = NULL;
	}
	wgm_key_wipe(&host_sk);
	wgm_host_state_free(&hs);
	wgm_strv_free(&txt);
	wgm_buf_free(&payload);
	free(data);
	free(rec);
	return plan;
}

static void golden_from_plan_name(const char *fixture, const char *host, const char *name)
{
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));

	CHECK(plan && testplan_fill(name, plan) == 0);
	if (plan)
		golden(fixture, host, plan);
	free(plan);
}

static void golden_from_fixture(const char *fixture, const char *host, const char *uuid)
{
	struct wgm_node_plan *plan = plan_from_fixture(fixture, host, uuid);

	if (plan) {
		golden(fixture, host, plan);
		wgm_plan_wipe(plan);
		free(plan);
	}
}

static void paths(void)
{
	char out[64];

	CHECK_INTEQ(birdgen_conf_path("/etc/bird", "private", out, sizeof(out)), 0);
	CHECK_STREQ(out, "/etc/bird/bird_private.conf");
	CHECK_INTEQ(birdgen_local_dir("/etc/bird", "private", out, sizeof(out)), 0);
	CHECK_STREQ(out, "/etc/bird/bird_private_local.d");
	CHECK_INTEQ(birdgen_socket_path(NULL, "lab", out, sizeof(out)), 0);
	CHECK_STREQ(out, "/run/bird-lab.sock");
	CHECK_INTEQ(birdgen_socket_path("/tmp/x", "lab", out, sizeof(out)), 0);
	CHECK_STREQ(out, "/tmp/x/bird-lab.sock");
	CHECK_INTEQ(birdgen_conf_path("/etc/bird", "../etc", out, sizeof(out)), -EINVAL);
	CHECK_INTEQ(birdgen_conf_path("/etc/bird", "a\"b", out, sizeof(out)), -EINVAL);
	CHECK_INTEQ(birdgen_conf_path("/etc/bird", "", out, sizeof(out)), -EINVAL);
	CHECK_INTEQ(birdgen_conf_path("/etc/bird", "a/b", out, sizeof(out)), -EINVAL);
	CHECK_INTEQ(birdgen_conf_path("/etc/bird/a/very/long/directory/name/here", "private", out,
				      16), -ENAMETOOLONG);
}

static void render_rejects_bad_names(void)
{
	struct wgm_node_plan plan;
	struct wgm_buf out = { 0 };

	testplan_fill("alpha", &plan);
	snprintf(plan.veth_inner, sizeof(plan.veth_inner), "vi\"; x");
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), -EINVAL);
	testplan_fill("alpha", &plan);
	snprintf(plan.peers[0].ifname, sizeof(plan.peers[0].ifname), "wg2\"");
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), -EINVAL);
	wgm_buf_free(&out);
}

/* --bfd-interval reaches BIRD's bfd protocol and the header; 0 is the default; outside
 * 10..10000 ms is refused (the CLI refuses it first). */
static bool rendered_has(const struct wgm_buf *b, const char *text)
{
	return memmem(b->p, b->len, text, strlen(text)) != NULL;
}

static void render_bfd_interval(void)
{
	struct wgm_node_plan plan;
	struct wgm_buf out = { 0 };

	testplan_fill("alpha", &plan);
	plan.bfd_interval_ms = 0;
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), 0);
	CHECK(rendered_has(&out, "    interval 10 ms;\n    multiplier 5;\n"));
	CHECK(rendered_has(&out, "BFD: 10 ms x 5 = 50 ms detection"));
	plan.bfd_interval_ms = 300;
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), 0);
	CHECK(rendered_has(&out, "    interval 300 ms;\n    multiplier 5;\n"));
	CHECK(rendered_has(&out, "BFD: 300 ms x 5 = 1500 ms detection"));
	CHECK(!rendered_has(&out, "interval 10 ms"));
	/* the default keeps a node at WGM_BFD_DEFAULT_PPS: 10 ms up to 25 peers, slower beyond */
	CHECK_INTEQ(wgm_bfd_default_interval(0), 10);
	CHECK_INTEQ(wgm_bfd_default_interval(25), 10);
	CHECK_INTEQ(wgm_bfd_default_interval(26), 11);
	CHECK_INTEQ(wgm_bfd_default_interval(50), 20);
	CHECK_INTEQ(wgm_bfd_default_interval(254), 102);
	plan.bfd_interval_ms = 9;
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), -EINVAL);
	plan.bfd_interval_ms = 10001;
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), -EINVAL);
	wgm_buf_free(&out);
}

/* A link slowed after flaps (wgmesh-net run) gets its own BFD block before the node's "*",
 * since BIRD takes the first pattern that matches; a link at the node's interval gets none. */
static void render_slowed_link(void)
{
	struct wgm_node_plan plan;
	struct wgm_buf out = { 0 };
	const char *own, *star;

	testplan_fill("three", &plan);
	plan.bfd_interval_ms = 10;
	plan.peers[0].bfd_interval_ms = 40;
	plan.peers[1].bfd_interval_ms = 10;
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), 0);
	char want[128];
	snprintf(want, sizeof(want), "  interface \"%s\" {   # slowed after repeated flaps\n    interval 40 ms;\n",
		 plan.peers[0].ifname);
	own = memmem(out.p, out.len, want, strlen(want));
	const char *star_text = "  interface \"*\" {\n    interval 10 ms;\n";
	star = memmem(out.p, out.len, star_text, strlen(star_text));
	CHECK(own && star && own < star);
	snprintf(want, sizeof(want), "  interface \"%s\" {", plan.peers[1].ifname);
	CHECK(!rendered_has(&out, want));
	plan.peers[0].bfd_interval_ms = 20000;
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), -EINVAL);
	wgm_buf_free(&out);
}

static void write_only_when_changed(const char *tmp)
{
	struct wgm_node_plan plan;
	char dir[4096], path[4200], err[512] = "";
	struct stat st;
	bool changed = false;

	snprintf(dir, sizeof(dir), "%s/write", tmp);
	mkdir(dir, 0755);
	testplan_fill("alpha", &plan);
	CHECK_INTEQ(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);
	snprintf(path, sizeof(path), "%s/bird_private_local.d", dir);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/bird_private.conf", dir);
	CHECK(stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644);

	CHECK_INTEQ(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(!changed);

	testplan_fill("three", &plan);
	CHECK_INTEQ(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);

	/* A bad name changes nothing and says which name. */
	snprintf(plan.peers[1].ifname, sizeof(plan.peers[1].ifname), "wg\"3");
	CHECK_FAILS_NAMING(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0, err, path);
	CHECK(!changed);

	/* A host without /etc/bird yet: the directory is made. */
	snprintf(dir, sizeof(dir), "%s/fresh-%d", tmp, (int)getpid());
	testplan_fill("alpha", &plan);
	CHECK_INTEQ(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);
	snprintf(path, sizeof(path), "%s/bird_private_local.d", dir);
	CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(path, sizeof(path), "%s/bird_private.conf", dir);
	CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/bird_private_drain.conf", dir);
	CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/bird_private_local.d", dir);
	CHECK(rmdir(path) == 0);
	CHECK(rmdir(dir) == 0);

	/* The include directory's place taken by a file: refused with the path. */
	snprintf(dir, sizeof(dir), "%s/blocked", tmp);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/bird_private_local.d", dir);
	CHECK_INTEQ(wgm_write_atomic(path, "x", 1, 0644), 0);
	testplan_fill("alpha", &plan);
	CHECK_FAILS_NAMING(birdgen_write(&plan, dir, &changed, err, sizeof(err)), -ENOTDIR, err, path);
	snprintf(path, sizeof(path), "%s/bird_private.conf", dir);
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
}

/* The drain file: each state's text, the range, and the round trip through the file that
 * birdgen_write makes from plan->drained and birdgen_write_drain switches. */
static void render_drain(const char *tmp)
{
	static const char undrained[] =
		"# wgmesh - drain state of this node (GENERATED FILE - DO NOT EDIT BY HAND:\n"
		"# wgmesh-net drain / undrain DOMAIN): not drained\n"
		"define WGMESH_DRAINED = 0;\n";
	static const char drained[] =
		"# wgmesh - drain state of this node (GENERATED FILE - DO NOT EDIT BY HAND:\n"
		"# wgmesh-net drain / undrain DOMAIN): drained by wgmesh-net drain, until wgmesh-net undrain\n"
		"define WGMESH_DRAINED = 1;\n";
	struct wgm_node_plan plan;
	struct wgm_buf out = { 0 };
	enum birdgen_drain state;
	char dir[4096], path[4200], err[512] = "", *text = NULL;
	bool changed = false;
	size_t len;

	CHECK_INTEQ(birdgen_render_drain(BIRDGEN_UNDRAINED, &out), 0);
	CHECK_INTEQ(out.len, sizeof(undrained) - 1);
	CHECK(out.p && !memcmp(out.p, undrained, out.len));
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render_drain(BIRDGEN_DRAINED, &out), 0);
	CHECK_INTEQ(out.len, sizeof(drained) - 1);
	CHECK(out.p && !memcmp(out.p, drained, out.len));
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render_drain(BIRDGEN_DRAINED_STOP, &out), 0);
	CHECK(rendered_has(&out, "define WGMESH_DRAINED = 2;\n"));
	wgm_buf_reset(&out);
	CHECK_INTEQ(birdgen_render_drain((enum birdgen_drain)3, &out), -EINVAL);
	wgm_buf_free(&out);

	/* The configuration includes the file before the template that reads WGMESH_DRAINED. */
	testplan_fill("alpha", &plan);
	CHECK_INTEQ(birdgen_render(&plan, "/etc/bird", &out), 0);
	CHECK(out.p && memmem(out.p, out.len, "include \"/etc/bird/bird_private_drain.conf\";", 44) <
			       memmem(out.p, out.len, "template bgp mesh_partner", 25));
	wgm_buf_free(&out);

	snprintf(dir, sizeof(dir), "%s/drain", tmp);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/bird_private_drain.conf", dir);
	unlink(path);
	CHECK_INTEQ(birdgen_read_drain(dir, "private", &state), -ENOENT);
	plan.drained = true;
	CHECK_INTEQ(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);
	CHECK_INTEQ(wgm_read_file(path, 4096, &text, &len), 0);
	CHECK(text && len == sizeof(drained) - 1 && !memcmp(text, drained, len));
	free(text);
	CHECK_INTEQ(birdgen_read_drain(dir, "private", &state), 0);
	CHECK_INTEQ(state, BIRDGEN_DRAINED);
	/* only the drain state changed: still a change BIRD must be told of */
	plan.drained = false;
	CHECK_INTEQ(birdgen_write(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);
	CHECK_INTEQ(birdgen_read_drain(dir, "private", &state), 0);
	CHECK_INTEQ(state, BIRDGEN_UNDRAINED);
	CHECK_INTEQ(birdgen_write_drain(dir, "private", BIRDGEN_DRAINED_STOP, &changed, err, sizeof(err)), 0);
	CHECK(changed);
	CHECK_INTEQ(birdgen_write_drain(dir, "private", BIRDGEN_DRAINED_STOP, &changed, err, sizeof(err)), 0);
	CHECK(!changed);
	CHECK_INTEQ(birdgen_read_drain(dir, "private", &state), 0);
	CHECK_INTEQ(state, BIRDGEN_DRAINED_STOP);
	/* a file that says no state is not taken for one */
	CHECK_INTEQ(wgm_write_atomic(path, "define WGMESH_DRAINED = 7;\n", 27, 0644), 0);
	CHECK_INTEQ(birdgen_read_drain(dir, "private", &state), -EBADMSG);
	CHECK_INTEQ(birdgen_write_drain(dir, "../x", BIRDGEN_DRAINED, &changed, err, sizeof(err)), -EINVAL);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s FIXTURE_DIR TMP_DIR\n", argv[0]);
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	golden_from_plan_name(argv[1], "alpha.example.net", "alpha");
	golden_from_plan_name(argv[1], "beta.example.net", "beta");
	golden_from_fixture(argv[1], "alpha.example.net", "6fc94b76-f857-4dce-942c-47df480cdda3");
	golden_from_fixture(argv[1], "beta.example.net", "7dd3ebe3-e116-4121-b4ac-4405149a930e");
	paths();
	render_rejects_bad_names();
	render_bfd_interval();
	render_slowed_link();
	write_only_when_changed(argv[2]);
	render_drain(argv[2]);
	return check_exit();
}

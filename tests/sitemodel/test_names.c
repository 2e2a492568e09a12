/* The name rules (common/names.c) at their edges, and the names a node builds: the same from
 * the host state alone (down, verify, tester) as in the plan (up). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "names.h"
#include "plan.h"

/* n times c, then tail */
static const char *repeat(char *buf, size_t n, char c, const char *tail)
{
	memset(buf, c, n);
	strcpy(buf + n, tail);
	return buf;
}

static void test_hostnames(void)
{
	char buf[400], label63[64], label64[65];

	CHECK(wgm_hostname_valid("alpha.example.net"));
	CHECK(wgm_hostname_valid("localhost"));
	CHECK(wgm_hostname_valid("vm_1.example.net"));          /* '_': 1.0's names have it */
	CHECK(wgm_hostname_valid("_srv.example.net"));
	CHECK(wgm_hostname_valid("ALPHA.Example.NET"));
	CHECK(wgm_hostname_valid("1a.example.net"));            /* a label may start with a digit */
	CHECK(wgm_hostname_valid("host.123a"));                 /* last label not all digits */
	CHECK(!wgm_hostname_valid("alpha.example.net."));       /* no trailing dot */
	CHECK(!wgm_hostname_valid("."));
	CHECK(!wgm_hostname_valid(".alpha.example.net"));
	CHECK(!wgm_hostname_valid("alpha..example.net"));
	CHECK(!wgm_hostname_valid("alpha-.example.net"));
	CHECK(!wgm_hostname_valid("-alpha.example.net"));
	CHECK(!wgm_hostname_valid("192.0.2.1"));                /* all-numeric last label */
	CHECK(!wgm_hostname_valid("192.0.2.300"));
	CHECK(!wgm_hostname_valid("host.123"));
	CHECK(!wgm_hostname_valid("1234"));
	CHECK(!wgm_hostname_valid("a b.example.net"));
	CHECK(!wgm_hostname_valid("a:b.example.net"));
	CHECK(!wgm_hostname_valid("h\xc3\xa9.example.net"));   /* no 8-bit bytes (IDNA is A-labels) */
	CHECK(!wgm_hostname_valid(""));

	repeat(label63, 63, 'a', "");
	repeat(label64, 64, 'a', "");
	snprintf(buf, sizeof(buf), "%s.example.net", label63);
	CHECK(wgm_hostname_valid(buf));
	snprintf(buf, sizeof(buf), "%s.example.net", label64);
	CHECK(!wgm_hostname_valid(buf));
	/* 253 in all: three labels of 63, one of 61 */
	snprintf(buf, sizeof(buf), "%s.%s.%s.%.61s", label63, label63, label63, label63);
	CHECK_INTEQ(strlen(buf), WGM_HOSTNAME_MAX);
	CHECK(wgm_hostname_valid(buf));
	snprintf(buf, sizeof(buf), "%s.%s.%s.%.62s", label63, label63, label63, label63);
	CHECK(!wgm_hostname_valid(buf));
}

static void test_uuids(void)
{
	CHECK(wgm_uuid_valid("6fc94b76-f857-4dce-942c-47df480cdda3"));
	CHECK(wgm_uuid_valid("6FC94B76-F857-4DCE-942C-47DF480CDDA3"));
	CHECK(wgm_uuid_valid("6Fc94b76-f857-4dCe-942c-47df480cddA3"));
	CHECK(!wgm_uuid_valid("6fc94b76-f857-4dce-942c-47df480cdda"));   /* one short */
	CHECK(!wgm_uuid_valid("6fc94b76-f857-4dce-942c-47df480cdda3a")); /* one long */
	CHECK(!wgm_uuid_valid("6fc94b76f857-4dce-942c-47df480cdda3-"));  /* dash misplaced */
	CHECK(!wgm_uuid_valid("6fc94b76-f857-4dce-942c-47df480cddg3"));  /* not hex */
	CHECK(!wgm_uuid_valid("{6fc94b76-f857-4dce-942c-47df480cdda3}"));
	CHECK(!wgm_uuid_valid(""));
}

static void test_ifnames(void)
{
	CHECK(wgm_ifname_valid("eth0"));
	CHECK(wgm_ifname_valid("wg255"));
	CHECK(wgm_ifname_valid("fifteen-chars-x"));
	CHECK(wgm_ifname_valid("eth0.100"));
	CHECK(wgm_ifname_valid("br-lan@x+y"));
	CHECK(!wgm_ifname_valid("sixteen-chars-xx"));
	CHECK(!wgm_ifname_valid(""));
	CHECK(!wgm_ifname_valid("."));
	CHECK(!wgm_ifname_valid(".."));
	CHECK(wgm_ifname_valid("..."));
	CHECK(!wgm_ifname_valid("eth0:1"));
	CHECK(!wgm_ifname_valid("a/b"));
	CHECK(!wgm_ifname_valid("a b"));
	CHECK(!wgm_ifname_valid("a\tb"));
	CHECK(!wgm_ifname_valid("a\x7f"));
	CHECK(!wgm_ifname_valid("\xc3\xa9th0"));
}

static void test_netns_names(void)
{
	char buf[80];

	CHECK(wgm_netns_name_valid("lab"));
	CHECK(wgm_netns_name_valid("private")); /* 1.0's */
	CHECK(wgm_netns_name_valid("n1-lab.x_y"));
	CHECK(wgm_netns_name_valid("_lab"));
	CHECK(wgm_netns_name_valid("lab."));
	CHECK(wgm_netns_name_valid(repeat(buf, WGM_NETNS_NAME_MAX, 'n', "")));
	CHECK(!wgm_netns_name_valid(repeat(buf, WGM_NETNS_NAME_MAX + 1, 'n', "")));
	CHECK(!wgm_netns_name_valid(""));
	CHECK(!wgm_netns_name_valid("."));
	CHECK(!wgm_netns_name_valid(".."));
	CHECK(!wgm_netns_name_valid(".lab"));   /* a hidden file under /run/netns */
	CHECK(!wgm_netns_name_valid("-lab"));   /* `ip netns exec -lab` is an option */
	CHECK(!wgm_netns_name_valid("../etc"));
	CHECK(!wgm_netns_name_valid("a/b"));
	CHECK(!wgm_netns_name_valid("a b"));
	CHECK(!wgm_netns_name_valid("a:b"));
	CHECK(!wgm_netns_name_valid("a\"b"));   /* would close a BIRD string */
	CHECK(!wgm_netns_name_valid("a;b"));
	/* the locus is the default namespace name: one rule */
	CHECK(wgm_locus_valid("lab") && wgm_locus_valid("averyverylonglocus"));
	CHECK(!wgm_locus_valid("-lab") && !wgm_locus_valid(""));
	CHECK(wgm_locus_new_valid("lab") && wgm_locus_new_valid("twelve_chars"));
	CHECK(!wgm_locus_new_valid("thirteen-char") && !wgm_locus_new_valid("a.b"));
	CHECK_STREQ(wgm_netns_name("", "lab"), "lab");
	CHECK_STREQ(wgm_netns_name("private", "lab"), "private");
}

static void test_derived(void)
{
	char outer[WGM_IFNAMSIZ], inner[WGM_IFNAMSIZ], name[WGM_IFNAMSIZ];
	char text[16];

	wgm_veth_names("lab", "", outer, inner);
	CHECK_STREQ(outer, "ve-lab");
	CHECK_STREQ(inner, "vi-lab");
	wgm_veth_names("twelve_chars", "", outer, inner); /* the longest kept whole */
	CHECK_STREQ(outer, "ve-twelve_chars");
	CHECK_STREQ(inner, "vi-twelve_chars");
	CHECK(wgm_ifname_valid(outer) && wgm_ifname_valid(inner));
	wgm_veth_names("thirteen-char", "", outer, inner); /* one too long: cut */
	CHECK_STREQ(outer, "ve-thirteen-cha");
	CHECK_STREQ(inner, "vi-thirteen-cha");
	wgm_veth_names("lab", "veth0", outer, inner);
	CHECK_STREQ(outer, "veth0");
	CHECK_STREQ(inner, "vi-lab");

	/* every octet's device name is a mesh device name, and nothing else of that shape is */
	for (unsigned o = 1; o <= 255; o++) {
		wgm_wg_ifname((uint8_t)o, name);
		snprintf(text, sizeof(text), "wg%u", o);
		CHECK_STREQ(name, text);
		CHECK(wgm_is_mesh_wg_name(name) && wgm_ifname_valid(name));
		wgm_tester_ifname((uint8_t)o, name);
		snprintf(text, sizeof(text), "tester%u", o);
		CHECK_STREQ(name, text);
		CHECK(wgm_is_tester_ifname(name) && wgm_ifname_valid(name));
	}
	CHECK(wgm_is_mesh_wg_name("wg2"));
	CHECK(!wgm_is_mesh_wg_name("wg0") && !wgm_is_mesh_wg_name("wg256"));
	CHECK(!wgm_is_mesh_wg_name("wg02") && !wgm_is_mesh_wg_name("wg1000"));
	CHECK(!wgm_is_mesh_wg_name("wg") && !wgm_is_mesh_wg_name("wg2a"));
	CHECK(!wgm_is_mesh_wg_name("wg-2") && !wgm_is_mesh_wg_name("wgx") && !wgm_is_mesh_wg_name("Wg2"));
	CHECK(wgm_is_tester_ifname("tester1"));
	CHECK(!wgm_is_tester_ifname("tester") && !wgm_is_tester_ifname("tester0"));
	CHECK(!wgm_is_tester_ifname("testers") && !wgm_is_tester_ifname("wg1"));
}

static void host_state(struct wgm_host_state *hs, const char *locus, const char *netns,
		       const char *outbound)
{
	memset(hs, 0, sizeof(*hs));
	snprintf(hs->domain, sizeof(hs->domain), "wg.example.com");
	snprintf(hs->locus, sizeof(hs->locus), "%s", locus);
	snprintf(hs->netns, sizeof(hs->netns), "%s", netns);
	snprintf(hs->interface_outbound, sizeof(hs->interface_outbound), "%s", outbound);
}

/* What up plans and what the other commands derive from the host state alone are one. */
static void check_plan_agrees(const struct wgm_host_state *hs, const struct wgm_key *sk)
{
	static struct wgm_deploy_record rec;
	static struct wgm_node_plan plan;
	struct wgm_node_names alone, planned;
	char err[256];

	memset(&rec, 0, sizeof(rec));
	snprintf(rec.site, sizeof(rec.site), "%s", hs->domain);
	snprintf(rec.remote, sizeof(rec.remote), "fd00:1:2::/48");
	rec.octet = 1;
	rec.asn = 64512;
	rec.portbase = 21100;
	CHECK_INTEQ(wgm_node_names_build(hs, &alone, err, sizeof(err)), 0);
	CHECK_INTEQ(wgm_plan_build(&rec, hs, sk, &plan, err, sizeof(err)), 0);
	wgm_plan_node_names(&plan, &planned);
	CHECK_STREQ(planned.netns, alone.netns);
	CHECK_STREQ(planned.veth_outer, alone.veth_outer);
	CHECK_STREQ(planned.veth_inner, alone.veth_inner);
	CHECK_STREQ(planned.trust_if, alone.trust_if);
	CHECK_STREQ(plan.tester_netns, WGM_TESTER_NETNS);
	CHECK_STREQ(plan.tester_if, "tester1");
	wgm_plan_wipe(&plan);
}

static void test_node_names(void)
{
	struct wgm_host_state hs;
	struct wgm_node_names n;
	struct wgm_key sk, pk;
	char err[256], locus[80];

	CHECK_INTEQ(wgm_key_generate(&sk, &pk, false), 0);

	host_state(&hs, repeat(locus, WGM_NETNS_NAME_MAX, 'l', ""), "", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), 0);
	CHECK_STREQ(n.netns, locus);
	CHECK_STREQ(n.veth_inner, "vi-llllllllllll");
	check_plan_agrees(&hs, &sk);

	host_state(&hs, "lab", "private", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), 0);
	CHECK_STREQ(n.netns, "private");
	CHECK_STREQ(n.veth_outer, "ve-lab");
	check_plan_agrees(&hs, &sk);

	host_state(&hs, "a.b-c_d", "", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), 0);
	CHECK_STREQ(n.veth_outer, "ve-a.b-c_d");
	check_plan_agrees(&hs, &sk);

	host_state(&hs, "lab", "", "veth0");
	snprintf(hs.interface_trust, sizeof(hs.interface_trust), "ens4");
	snprintf(hs.interface_trust_ip, sizeof(hs.interface_trust_ip), "172.22.15.243/24");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), 0);
	CHECK(n.has_trust_ip && n.trust_ip.len == 24);
	check_plan_agrees(&hs, &sk);

	/* refused, one line naming the value */
	host_state(&hs, "lab", "", "vi-lab");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), -EINVAL);
	CHECK_ERROR_NAMES(err, "vi-lab");
	host_state(&hs, "lab", "tester", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), -EINVAL);
	CHECK_ERROR_NAMES(err, "'tester'");
	host_state(&hs, "tester", "", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), -EINVAL);
	host_state(&hs, "lab", "../etc", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), -EINVAL);
	CHECK_ERROR_NAMES(err, "../etc");
	host_state(&hs, "", "", "");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), -EINVAL);
	host_state(&hs, "lab", "", "");
	snprintf(hs.interface_trust_ip, sizeof(hs.interface_trust_ip), "172.22.15.300/24");
	CHECK_INTEQ(wgm_node_names_build(&hs, &n, err, sizeof(err)), -EINVAL);
	CHECK_ERROR_NAMES(err, "172.22.15.300/24");
	wgm_key_wipe(&sk);
}

int main(void)
{
	test_hostnames();
	test_uuids();
	test_ifnames();
	test_netns_names();
	test_derived();
	test_node_names();
	return check_exit();
}

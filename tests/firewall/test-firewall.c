/* The Shorewall and nftables renderers: every peer's port is opened and nothing is DNATed,
 * the veth /24 and the LAN are masqueraded out of the public interface, names that could
 * break a rule file are refused with the value named, and files are written only when they
 * change. usage: test-firewall TMP_DIR */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "check.h"
#include "nft.h"
#include "shorewall.h"
#include "testplan.h"

static const char *render(int (*fn)(const struct wgm_node_plan *, struct wgm_buf *),
			  const struct wgm_node_plan *plan, struct wgm_buf *out)
{
	wgm_buf_reset(out);
	CHECK_INTEQ(fn(plan, out), 0);
	return out->p ? (const char *)out->p : "";
}

static void shorewall_content(void)
{
	struct wgm_node_plan plan;
	struct wgm_buf out = { 0 };
	const char *t;

	testplan_fill("three", &plan);
	t = render(firewall_render_shorewall_rules, &plan, &out);
	CHECK(strstr(t, "ACCEPT\t\tnet\t\t$FW\t\tudp\t31002\t# wg2\n") != NULL);
	CHECK(strstr(t, "ACCEPT\t\tnet\t\t$FW\t\tudp\t31003\t# wg3\n") != NULL);
	CHECK(strstr(t, "ACCEPT\t\tnet\t\t$FW\t\tudp\t31005\t# wg5\n") != NULL);
	CHECK(strstr(t, "\nDNAT") == NULL); /* 1.0: DNAT:info net loc:169.254.1.2 udp ... */
	CHECK(strstr(t, "SSH(ACCEPT)\tnet\t\t$FW\n") != NULL); /* 1.0's rules kept */

	t = render(firewall_render_shorewall_interfaces, &plan, &out);
	CHECK(strstr(t, "physical=eth0\n") != NULL);
	CHECK(strstr(t, "loc     LOC_IF      tcpflags,physical=ve-lab\n") != NULL);

	t = render(firewall_render_shorewall_snat, &plan, &out);
	CHECK(strstr(t, "MASQUERADE\t169.254.1.0/24,10.20.1.0/24\teth0\n") != NULL);

	testplan_fill("empty", &plan);
	t = render(firewall_render_shorewall_rules, &plan, &out);
	CHECK(strstr(t, "udp\t") == NULL);

	testplan_fill("alpha", &plan);
	plan.has_trust_ip = false;
	t = render(firewall_render_shorewall_snat, &plan, &out);
	CHECK(strstr(t, "MASQUERADE\t169.254.1.0/24\teth0\n") != NULL);

	testplan_fill("alpha", &plan);
	snprintf(plan.public_if, sizeof(plan.public_if), "eth0 net");
	wgm_buf_reset(&out);
	CHECK_INTEQ(firewall_render_shorewall_interfaces(&plan, &out), -EINVAL);
	wgm_buf_free(&out);
}

static void nft_content(void)
{
	struct wgm_node_plan plan;
	struct wgm_buf out = { 0 };
	char name[64];
	const char *t;

	testplan_fill("three", &plan);
	t = render(firewall_render_nft, &plan, &out);
	CHECK(strstr(t, "table inet wgmesh_private {}\ndelete table inet wgmesh_private\n"
			"table inet wgmesh_private {\n") != NULL);
	CHECK(strstr(t, "iifname \"eth0\" udp dport { 31002, 31003, 31005 } counter accept") != NULL);
	CHECK(strstr(t, "oifname \"eth0\" ip saddr { 169.254.1.0/24,10.20.1.0/24 } counter masquerade") != NULL);
	CHECK(strstr(t, "policy drop") == NULL);
	/* Through the veth only the mesh's sources out and their replies in: nothing else. */
	CHECK(strstr(t, "iifname \"ve-lab\" ip saddr { 169.254.1.0/24,10.20.1.0/24 } counter accept") != NULL);
	CHECK(strstr(t, "oifname \"ve-lab\" ct state established,related counter accept") != NULL);
	CHECK(strstr(t, "iifname \"ve-lab\" counter drop") != NULL);
	CHECK(strstr(t, "oifname \"ve-lab\" counter drop") != NULL);

	testplan_fill("alpha-nolan", &plan);
	t = render(firewall_render_nft, &plan, &out);
	CHECK(strstr(t, "\t\tudp dport { 31002 } counter accept") != NULL);
	CHECK(strstr(t, "oifname != \"ve-lab\" ip saddr { 169.254.1.0/24 } counter masquerade") != NULL);

	testplan_fill("empty", &plan);
	t = render(firewall_render_nft, &plan, &out);
	CHECK(strstr(t, "dport") == NULL);

	CHECK_INTEQ(firewall_nft_table_name("private", name, sizeof(name)), 0);
	CHECK_STREQ(name, "wgmesh_private");
	CHECK_INTEQ(firewall_nft_table_name("a b", name, sizeof(name)), -EINVAL);
	CHECK_INTEQ(firewall_nft_table_name("-x", name, sizeof(name)), -EINVAL);
	CHECK_INTEQ(firewall_nft_path("/etc/wgmesh", "lab", name, sizeof(name)), 0);
	CHECK_STREQ(name, "/etc/wgmesh/wgmesh-lab.nft");
	wgm_buf_free(&out);
}

static void writes(const char *tmp)
{
	struct wgm_node_plan plan;
	char dir[4096], path[4200], err[512] = "";
	bool changed = false;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/fw-write", tmp);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/rules", dir);
	unlink(path);

	testplan_fill("alpha", &plan);
	CHECK_INTEQ(firewall_write_shorewall(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	CHECK_INTEQ(firewall_write_shorewall(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(!changed);
	testplan_fill("three", &plan);
	CHECK_INTEQ(firewall_write_shorewall(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(changed);

	CHECK_INTEQ(firewall_write_nft(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK_INTEQ(firewall_write_nft(&plan, dir, &changed, err, sizeof(err)), 0);
	CHECK(!changed);

	/* No public interface: Shorewall's net zone has nothing to stand on. */
	testplan_fill("alpha-nolan", &plan);
	CHECK_FAILS_NAMING(firewall_write_shorewall(&plan, dir, &changed, err, sizeof(err)), -EINVAL,
			   err, "wgconfig -i");
	CHECK(!changed);

	/* A bad name changes no file and is named in the message. */
	testplan_fill("alpha", &plan);
	snprintf(plan.veth_outer, sizeof(plan.veth_outer), "ve;lab");
	CHECK(firewall_write_shorewall(&plan, dir, &changed, err, sizeof(err)) < 0);
	CHECK(!changed);
	CHECK(strstr(err, "\"ve;lab\"") != NULL);
	CHECK(firewall_write_nft(&plan, dir, &changed, err, sizeof(err)) < 0);
	CHECK(!changed);
	CHECK(strstr(err, "\"ve;lab\"") != NULL);
	fprintf(stderr, "error shown: %s\n", err);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s TMP_DIR\n", argv[0]);
		return 2;
	}
	shorewall_content();
	nft_content();
	writes(argv[1]);
	return check_exit();
}

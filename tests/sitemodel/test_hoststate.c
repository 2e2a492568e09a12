/* Host state: 1.0's file loads, rewrites unchanged, keeps unknown keys, carries our firewall:
 * and netns: additions, and refuses bad values with one line naming them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hoststate.h"
#include "key.h"
#include "testfiles.h"

#define ALPHA_STATE "hosts/alpha.example.net/etc-wireguard/wg.example.com.yaml"

static int load(const char *path, struct wgm_host_state *hs)
{
	char err[512] = "";
	int ret = wgm_host_state_load(path, hs, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "load %s: %s\n", path, err);
	return ret;
}

static int save(const char *path, struct wgm_host_state *hs)
{
	char err[512] = "";
	int ret = wgm_host_state_save(path, hs, err, sizeof(err));

	if (ret < 0)
		fprintf(stderr, "save %s: %s\n", path, err);
	return ret;
}

static void test_load_fixture(void)
{
	struct wgm_host_state hs;
	struct wgm_key site;

	CHECK(load(fixture(ALPHA_STATE), &hs) == 0);
	CHECK_STREQ(hs.domain, "wg.example.com");
	CHECK_STREQ(hs.cmdfping, "/usr/sbin/fping");
	CHECK_STREQ(hs.hostname, "vm");
	CHECK_STREQ(hs.interface_outbound, "");
	CHECK_STREQ(hs.interface_public, "eth0");
	CHECK_STREQ(hs.interface_trust, "eth1");
	CHECK_STREQ(hs.interface_trust_ip, "10.20.1.1/24");
	CHECK_STREQ(hs.private_key_file, "/etc/wireguard/lab_priv");
	CHECK_STREQ(hs.public_key_file, "/etc/wireguard/lab_pub");
	CHECK_STREQ(hs.uuid, "6fc94b76-f857-4dce-942c-47df480cdda3");
	CHECK_STREQ(hs.locus, "lab");
	CHECK_INTEQ(hs.firewall, WGM_FW_SHOREWALL);
	CHECK_STREQ(hs.netns, "");
	CHECK(hs.has_site_key);
	CHECK(wgm_key_from_b64(&site, "Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=") == 0);
	CHECK(wgm_key_equal(&site, &hs.site_public_key));
	wgm_host_state_free(&hs);
}

static void test_state_path(void)
{
	char out[256];

	CHECK(wgm_host_state_path("/etc/wireguard", "wg.example.com", out, sizeof(out)) == 0);
	CHECK_STREQ(out, "/etc/wireguard/wg.example.com.yaml");
	CHECK(wgm_host_state_path("/tmp", "../../etc/passwd", out, sizeof(out)) == -EINVAL);
	CHECK(wgm_host_state_path("/tmp", "wg.example.com", out, 10) == -ENAMETOOLONG);
}

static void test_roundtrip(void)
{
	const char *path = test_copy(ALPHA_STATE, "wg.example.com.yaml");
	char *before = test_read(fixture(ALPHA_STATE)), *after;
	struct wgm_host_state hs;

	CHECK(load(path, &hs) == 0);
	CHECK(save(path, &hs) == 0);
	wgm_host_state_free(&hs);
	after = test_read(path);
	CHECK(before && after && !strcmp(before, after));
	free(after);

	/* Our additions and unknown keys. */
	{
		char *t1 = test_subst(before, "  hostname: vm\n", "  hostname: vm\n  rack: b4\n");
		char *t2 = t1 ? malloc(strlen(t1) + 32) : NULL;

		CHECK(t2 != NULL);
		if (t2) {
			sprintf(t2, "%sextra:\n  note: keep\n", t1);
			CHECK(test_write(path, t2));
		}
		free(t1);
		free(t2);
	}
	CHECK(load(path, &hs) == 0);
	hs.firewall = WGM_FW_NFTABLES;
	snprintf(hs.netns, sizeof(hs.netns), "mesh");
	snprintf(hs.interface_outbound, sizeof(hs.interface_outbound), "ve-mesh");
	CHECK(save(path, &hs) == 0);
	wgm_host_state_free(&hs);
	after = test_read(path);
	CHECK(after && strstr(after, "  rack: b4\n"));
	CHECK(after && strstr(after, "extra:\n  note: keep\n"));
	CHECK(after && strstr(after, "  firewall: nftables\n"));
	CHECK(after && strstr(after, "  netns: mesh\n"));
	free(after);
	CHECK(load(path, &hs) == 0);
	CHECK_INTEQ(hs.firewall, WGM_FW_NFTABLES);
	CHECK_STREQ(hs.netns, "mesh");
	CHECK_STREQ(hs.interface_outbound, "ve-mesh");
	hs.firewall = WGM_FW_NONE;
	CHECK(save(path, &hs) == 0);
	wgm_host_state_free(&hs);
	CHECK(load(path, &hs) == 0);
	CHECK_INTEQ(hs.firewall, WGM_FW_NONE);
	wgm_host_state_free(&hs);
	free(before);
}

/* wgconfig's first run: no file yet. The result reads like 1.0's (sorted keys). */
static void test_new_state(void)
{
	const char *path = test_path("mesh.example.com.yaml");
	struct wgm_host_state hs = { 0 }, again;
	struct wgm_key pk;
	char *text, *fixture_text;

	snprintf(hs.domain, sizeof(hs.domain), "mesh.example.com");
	snprintf(hs.cmdfping, sizeof(hs.cmdfping), "/usr/sbin/fping");
	snprintf(hs.hostname, sizeof(hs.hostname), "vm");
	snprintf(hs.interface_public, sizeof(hs.interface_public), "eth0");
	snprintf(hs.interface_trust, sizeof(hs.interface_trust), "eth1");
	snprintf(hs.interface_trust_ip, sizeof(hs.interface_trust_ip), "10.20.1.1/24");
	snprintf(hs.private_key_file, sizeof(hs.private_key_file), "/etc/wireguard/lab_priv");
	snprintf(hs.public_key_file, sizeof(hs.public_key_file), "/etc/wireguard/lab_pub");
	snprintf(hs.uuid, sizeof(hs.uuid), "6fc94b76-f857-4dce-942c-47df480cdda3");
	snprintf(hs.locus, sizeof(hs.locus), "lab");
	hs.firewall = WGM_FW_SHOREWALL;
	CHECK(wgm_key_from_b64(&pk, "Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=") == 0);
	hs.site_public_key = pk;
	hs.has_site_key = true;
	CHECK(save(path, &hs) == 0);
	wgm_host_state_free(&hs);
	/* Same values as alpha's: the same bytes as 1.0's wgconfig wrote. */
	text = test_read(path);
	fixture_text = test_read(fixture(ALPHA_STATE));
	CHECK(text && fixture_text && !strcmp(text, fixture_text));
	free(text);
	free(fixture_text);
	CHECK(load(path, &again) == 0);
	CHECK_STREQ(again.domain, "mesh.example.com");
	CHECK(again.has_site_key && wgm_key_equal(&again.site_public_key, &pk));
	wgm_host_state_free(&again);
}

static void expect_error(const char *from, const char *to, const char *needle)
{
	char *orig = test_read(fixture(ALPHA_STATE));
	char *text = from ? test_subst(orig, from, to) : strdup(to);
	const char *path = test_path("wg.example.com.yaml");
	struct wgm_host_state hs;
	char err[512] = "";
	int ret;

	CHECK(text != NULL);
	if (text) {
		CHECK(test_write(path, text));
		ret = wgm_host_state_load(path, &hs, err, sizeof(err));
		CHECK_FAILS_NAMING(ret, 0, err, needle);
		if (ret == 0)
			wgm_host_state_free(&hs);
	}
	free(text);
	free(orig);
}

static void test_bad_input(void)
{
	expect_error("interface_public: eth0", "interface_public: sixteen-chars-xx",
		     "'sixteen-chars-xx'");
	expect_error("interface_trust: eth1", "interface_trust: eth1:0", "'eth1:0'");
	expect_error("interface_trust: eth1", "interface_trust: 'a b'", "'a b'");
	expect_error("10.20.1.1/24", "10.20.1.1", "'10.20.1.1'");
	expect_error("10.20.1.1/24", "10.20.1.1/33", "'10.20.1.1/33'");
	expect_error("uuid: 6fc94b76-f857-4dce-942c-47df480cdda3", "uuid: 6fc94b76",
		     "'6fc94b76'");
	expect_error("  uuid: 6fc94b76-f857-4dce-942c-47df480cdda3\n", "", "missing key 'uuid'");
	expect_error("Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y=", "Lpo8ghMnak", "'Lpo8ghMnak'");
	expect_error("  hostname: vm\n", "  hostname: vm\n  firewall: iptables\n", "'iptables'");
	expect_error("  hostname: vm\n", "  hostname: vm\n  netns: a/b\n", "'a/b'");
	expect_error("  hostname: vm\n", "  hostname: [vm]\n", "'hostname' must be a string");
	expect_error(NULL, "host:\n- a\n", "'host' must be a mapping");
	expect_error(NULL, "site:\n  locus: lab\n", "missing key 'host'");
	expect_error("host:\n", "host: &h\n", "anchor");
	expect_error(NULL, "host: [\n", "YAML syntax error");
}

/* A refused save leaves the file as it was. */
static void test_save_refused(void)
{
	const char *path = test_copy(ALPHA_STATE, "wg.example.com.yaml");
	char *before = test_read(path), *after, err[512] = "";
	struct wgm_host_state hs;

	CHECK(load(path, &hs) == 0);
	snprintf(hs.interface_trust, sizeof(hs.interface_trust), "bad/name");
	CHECK_FAILS_NAMING(wgm_host_state_save(path, &hs, err, sizeof(err)), -EINVAL, err, "'bad/name'");
	wgm_host_state_free(&hs);
	after = test_read(path);
	CHECK(before && after && !strcmp(before, after));
	free(before);
	free(after);
}

int main(int argc, char **argv)
{
	if (test_setup(argc, argv) < 0)
		return 1;
	test_load_fixture();
	test_state_path();
	test_roundtrip();
	test_new_state();
	test_bad_input();
	test_save_refused();
	test_teardown();
	return check_exit();
}

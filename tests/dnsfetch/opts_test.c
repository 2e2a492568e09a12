/* --dns parsing into c-ares' server form, and the DNS name rule both transports apply. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "fetch.h"
#include "proto.h"

static void good(const char *spec, const char *want)
{
	struct wgm_fetch_opts o = { 0 };
	char err[256] = "";

	CHECK_INTEQ(wgm_fetch_opts_add_server(&o, spec, err, sizeof(err)), 0);
	CHECK_INTEQ(o.n_servers, 1);
	CHECK_STREQ(o.servers[0], want);
}

static void bad(const char *spec)
{
	struct wgm_fetch_opts o = { 0 };
	char err[256] = "";

	/* The one-line error quotes the rejected value. */
	CHECK_FAILS_NAMING(wgm_fetch_opts_add_server(&o, spec, err, sizeof(err)), -EINVAL, err, spec);
	CHECK_INTEQ(o.n_servers, 0);
}

int main(void)
{
	struct wgm_fetch_opts o = { 0 };
	char err[256];

	good("192.0.2.53", "192.0.2.53:53");
	good("192.0.2.53:5353", "192.0.2.53:5353");
	good("2001:db8::53", "[2001:db8::53]:53");
	good("[2001:db8::53]:5353", "[2001:db8::53]:5353");
	good("::1", "[::1]:53");
	bad("");
	bad("ns.example.com");
	bad("192.0.2.53:");
	bad("192.0.2.53:0");
	bad("192.0.2.53:65536");
	bad("192.0.2.53:53x");
	bad("192.0.2.300");
	bad("[2001:db8::53]");
	bad("[2001:db8::53]:");
	bad("[192.0.2.1]:53x");
	for (int i = 0; i < WGM_FETCH_MAX_SERVERS; i++)
		CHECK_INTEQ(wgm_fetch_opts_add_server(&o, "127.0.0.1", err, sizeof(err)), 0);
	CHECK_FAILS_NAMING(wgm_fetch_opts_add_server(&o, "127.0.0.2", err, sizeof(err)), -EINVAL, err,
			   "too many");

	CHECK_INTEQ(wgm_dns_name_check("wg.example.com", 14), 0);
	CHECK_INTEQ(wgm_dns_name_check("_dmarc.example.com.", 19), 0);
	CHECK_INTEQ(wgm_dns_name_check("6fc94b76-f857-4dce-942c-47df480cdda3.wg.example.com", 51), 0);
	CHECK_INTEQ(wgm_dns_name_check("", 0), -EINVAL);
	CHECK_INTEQ(wgm_dns_name_check(".", 1), -EINVAL);
	CHECK_INTEQ(wgm_dns_name_check("a..b", 4), -EINVAL);
	CHECK_INTEQ(wgm_dns_name_check("a b", 3), -EINVAL);
	CHECK_INTEQ(wgm_dns_name_check("a\nb", 3), -EINVAL);
	CHECK_INTEQ(wgm_dns_name_check("a\0b", 3), -EINVAL);
	{
		char label[70], name[300];

		memset(label, 'a', 64);
		label[64] = '\0';
		CHECK_INTEQ(wgm_dns_name_check(label, 64), -EINVAL);
		CHECK_INTEQ(wgm_dns_name_check(label, 63), 0);
		memset(name, 'a', sizeof(name));
		for (int i = 60; i < 300; i += 61)
			name[i] = '.';
		CHECK_INTEQ(wgm_dns_name_check(name, 253), 0);
		CHECK_INTEQ(wgm_dns_name_check(name, 254), -EINVAL);
	}
	return check_exit();
}

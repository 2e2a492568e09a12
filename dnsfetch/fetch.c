/* The parts of the fetch API both transports share, and the in-process transport. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libgen.h>
#include <limits.h>
#include <unistd.h>

#include "fetch.h"
#include "wgm_config.h"

const char *wgm_fetch_status_str(enum wgm_fetch_status st)
{
	switch (st) {
	case WGM_FETCH_OK:
		return "ok";
	case WGM_FETCH_NXDOMAIN:
		return "NXDOMAIN (no such name)";
	case WGM_FETCH_NODATA:
		return "NODATA (name has no record of that type)";
	case WGM_FETCH_SERVFAIL:
		return "SERVFAIL (server failure)";
	case WGM_FETCH_REFUSED:
		return "REFUSED (server refused the query)";
	case WGM_FETCH_TIMEOUT:
		return "timeout (no server answered)";
	case WGM_FETCH_ERROR:
		break;
	}
	return "error";
}

void wgm_fetch_result_free(struct wgm_fetch_result *r)
{
	wgm_strv_free(&r->txt);
}

static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -EINVAL;
	*port = (unsigned)v;
	return 0;
}

/* Stores the server in c-ares' CSV form: "A.B.C.D:PORT" or "[V6]:PORT". */
int wgm_fetch_opts_add_server(struct wgm_fetch_opts *o, const char *spec, char *err, size_t errlen)
{
	char host[64];
	unsigned port = 53;
	const char *colon = strrchr(spec, ':');
	const char *hoststart = spec;
	struct in6_addr a6;
	struct in_addr a4;
	size_t hostlen;
	int n;

	if (o->n_servers >= WGM_FETCH_MAX_SERVERS) {
		snprintf(err, errlen, "too many DNS servers at \"%s\": at most %d", spec,
			 WGM_FETCH_MAX_SERVERS);
		return -EINVAL;
	}
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':' || parse_port(close + 2, &port))
			goto bad;
		hoststart = spec + 1;
		hostlen = (size_t)(close - hoststart);
	} else if (colon && strchr(spec, ':') == colon) {
		if (parse_port(colon + 1, &port))
			goto bad;
		hostlen = (size_t)(colon - spec);
	} else {
		hostlen = strlen(spec);
	}
	if (hostlen == 0 || hostlen >= sizeof(host))
		goto bad;
	memcpy(host, hoststart, hostlen);
	host[hostlen] = '\0';
	if (inet_pton(AF_INET, host, &a4) == 1)
		n = snprintf(o->servers[o->n_servers], sizeof(o->servers[0]), "%s:%u", host, port);
	else if (inet_pton(AF_INET6, host, &a6) == 1)
		n = snprintf(o->servers[o->n_servers], sizeof(o->servers[0]), "[%s]:%u", host, port);
	else
		goto bad;
	if (n < 0 || (size_t)n >= sizeof(o->servers[0]))
		goto bad;
	o->n_servers++;
	return 0;
bad:
	snprintf(err, errlen,
		 "bad DNS server \"%s\": give an IP address, ADDR:PORT or [IPV6]:PORT", spec);
	return -EINVAL;
}

/* The installed helper, or, for programs run from the build tree (build/site/wgsite,
 * build/netmgr/wgmesh-net), the one built beside them in build/dnsfetch. */
const char *wgm_fetcher_default_path(void)
{
	static char sibling[PATH_MAX];
	const char *env = getenv("WGM_DNSFETCH");
	char self[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return env;
	if (access(WGM_LIBEXECDIR "/wgmesh-dnsfetch", X_OK) == 0)
		return WGM_LIBEXECDIR "/wgmesh-dnsfetch";
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if (snprintf(sibling, sizeof(sibling), "%s/../dnsfetch/wgmesh-dnsfetch",
			     dirname(self)) < (int)sizeof(sibling) &&
		    access(sibling, X_OK) == 0)
			return sibling;
	}
	return WGM_LIBEXECDIR "/wgmesh-dnsfetch";
}

int wgm_fetch_txt_sandboxed(const struct wgm_fetch_opts *o, const char *name,
			    struct wgm_fetch_result *r)
{
	const char *helper = wgm_fetcher_default_path();
	struct wgm_fetcher *f = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	r->status = WGM_FETCH_ERROR;
	ret = access(helper, X_OK) ? -errno : wgm_fetcher_spawn(helper, "nobody", o, &f);
	if (ret) {
		snprintf(r->detail, sizeof(r->detail),
			 "cannot start the DNS fetcher %.120s: %s (install wgmesh-dnsfetch or point "
			 "$WGM_DNSFETCH at it)", helper, strerror(-ret));
		return ret;
	}
	ret = wgm_fetcher_txt(f, name, 0, r);
	wgm_fetcher_close(f);
	return ret;
}

/* A command line over netmgr/wireguard for the namespace tests: each call does one device
 * operation in the namespace it is run in (ip netns exec), so a shell script can arrange
 * namespaces and cross-check with `wg show` and `ip`.
 *   detect | create IF | destroy IF [--netns NAME] | pid IF | get IF [--netns NAME]
 *   sync IF [--netns NAME] [--private-key FILE] [--port N]
 *        {--peer B64 [--endpoint ADDR:PORT] [--keepalive N] [--allowed ADDR/CIDR]...}...
 *   portcheck PORT... | ephemeral */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "portcheck.h"
#include "wgdev.h"

static int usage(void)
{
	fprintf(stderr, "usage: wgdev-tool detect|create|destroy|pid|get|sync|portcheck|ephemeral ...\n");
	return 2;
}

static int key_from_b64(struct wgm_key *k, const char *s)
{
	size_t len;

	if (sodium_base642bin(k->b, sizeof(k->b), s, strlen(s), "\n", &len, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    len != WGM_KEY_LEN) {
		fprintf(stderr, "bad key \"%s\"\n", s);
		return -EINVAL;
	}
	return 0;
}

static void key_to_b64(const struct wgm_key *k, char out[WGM_KEY_B64_LEN + 1])
{
	sodium_bin2base64(out, WGM_KEY_B64_LEN + 1, k->b, WGM_KEY_LEN, sodium_base64_VARIANT_ORIGINAL);
}

static int open_netns(const char *name)
{
	char path[256];
	int fd;

	if (!name)
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(path);
		exit(1);
	}
	return fd;
}

static int parse_endpoint(const char *s, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *s4 = (void *)ss;
	struct sockaddr_in6 *s6 = (void *)ss;
	size_t len;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	len = (size_t)(colon - s);
	memcpy(host, s, len);
	host[len] = '\0';
	if (host[0] == '[' && len > 2 && host[len - 1] == ']') {
		host[len - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(colon + 1));
		return 0;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
		return -EINVAL;
	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)atoi(colon + 1));
	return 0;
}

static int parse_allowed(const char *s, struct wgdev_peer *p)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t i = p->n_allowed;

	if (!slash || i == WGDEV_MAX_ALLOWED || (size_t)(slash - s) >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	p->allowed[i].family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p->allowed[i].family, addr, p->allowed[i].addr) != 1)
		return -EINVAL;
	p->allowed[i].cidr = (uint8_t)atoi(slash + 1);
	p->n_allowed++;
	return 0;
}

static void print_endpoint(const struct wgdev_peer *p)
{
	char addr[INET6_ADDRSTRLEN] = "";
	const struct sockaddr_in *s4 = (const void *)&p->endpoint;
	const struct sockaddr_in6 *s6 = (const void *)&p->endpoint;

	if (!p->has_endpoint)
		printf(" endpoint=(none)");
	else if (p->endpoint.ss_family == AF_INET)
		printf(" endpoint=%s:%u", inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr)), ntohs(s4->sin_port));
	else
		printf(" endpoint=[%s]:%u", inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr)),
		       ntohs(s6->sin6_port));
}

static int cmd_get(enum wgdev_backend be, const char *ifname, int netns_fd)
{
	struct wgdev_config c;
	char b64[WGM_KEY_B64_LEN + 1], addr[INET6_ADDRSTRLEN];
	struct nl_err e = { 0 };
	size_t i, j;
	int ret = wgdev_get(be, netns_fd, ifname, &c, &e);

	if (ret) {
		fprintf(stderr, "get %s: %s\n", ifname, nl_err_str(&e, ret, addr, sizeof(addr)));
		return 1;
	}
	printf("private_key=%s\nlisten_port=%u\npeers=%zu\n", c.has_private_key ? "set" : "none", c.listen_port,
	       c.n_peers);
	for (i = 0; i < c.n_peers; i++) {
		const struct wgdev_peer *p = &c.peers[i];

		key_to_b64(&p->public_key, b64);
		printf("peer=%s", b64);
		print_endpoint(p);
		printf(" keepalive=%u handshake=%lld.%09ld rx=%llu tx=%llu allowed=", p->keepalive,
		       (long long)p->last_handshake.tv_sec, p->last_handshake.tv_nsec,
		       (unsigned long long)p->rx_bytes, (unsigned long long)p->tx_bytes);
		for (j = 0; j < p->n_allowed; j++)
			printf("%s%s/%u", j ? "," : "",
			       inet_ntop(p->allowed[j].family, p->allowed[j].addr, addr, sizeof(addr)),
			       p->allowed[j].cidr);
		printf("\n");
	}
	wgdev_config_free(&c);
	return 0;
}

static int cmd_sync(enum wgdev_backend be, int argc, char **argv)
{
	struct wgdev_config c = { 0 };
	struct wgdev_peer *p = NULL;
	int netns_fd = -1, i, ret = 1, fd;
	bool changed;
	struct nl_err e = { 0 };
	char text[64], why[300];
	ssize_t n;

	snprintf(c.ifname, sizeof(c.ifname), "%s", argv[0]);
	c.peers = calloc((size_t)argc, sizeof(*c.peers));
	if (!c.peers)
		return 1;
	for (i = 1; i + 1 < argc; i += 2) {
		const char *opt = argv[i], *val = argv[i + 1];

		if (!strcmp(opt, "--netns")) {
			netns_fd = open_netns(val);
		} else if (!strcmp(opt, "--private-key")) {
			fd = open(val, O_RDONLY | O_CLOEXEC);
			n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
			if (fd >= 0)
				close(fd);
			if (n <= 0)
				goto bad;
			text[n] = '\0';
			text[strcspn(text, "\n")] = '\0';
			if (key_from_b64(&c.private_key, text))
				goto bad;
			sodium_memzero(text, sizeof(text));
			c.has_private_key = true;
		} else if (!strcmp(opt, "--port")) {
			c.listen_port = (uint16_t)atoi(val);
		} else if (!strcmp(opt, "--peer")) {
			p = &c.peers[c.n_peers++];
			if (key_from_b64(&p->public_key, val))
				goto bad;
		} else if (p && !strcmp(opt, "--endpoint")) {
			if (parse_endpoint(val, &p->endpoint))
				goto bad;
			p->has_endpoint = true;
		} else if (p && !strcmp(opt, "--keepalive")) {
			p->keepalive = (uint16_t)atoi(val);
		} else if (p && !strcmp(opt, "--allowed")) {
			if (parse_allowed(val, p))
				goto bad;
		} else {
			goto bad;
		}
	}
	if (i != argc)
		goto bad;
	ret = wgdev_sync(be, netns_fd, &c, &changed, &e);
	if (ret) {
		fprintf(stderr, "sync %s: %s\n", c.ifname, nl_err_str(&e, ret, why, sizeof(why)));
		ret = 1;
	} else {
		printf("changed=%d\n", changed ? 1 : 0);
	}
	goto cleanup;
bad:
	fprintf(stderr, "sync: bad option or value near argument %d\n", i);
	ret = 2;
cleanup:
	wgdev_config_wipe(&c);
	free(c.peers);
	if (netns_fd >= 0)
		close(netns_fd);
	return ret;
}

static int cmd_portcheck(int argc, char **argv)
{
	struct port_holder h[64];
	uint16_t ports[64];
	size_t n = 0, found, i;
	int ret;

	for (; n < (size_t)argc && n < 64; n++)
		ports[n] = (uint16_t)atoi(argv[n]);
	ret = portcheck_udp(-1, ports, n, h, 64, &found, NULL);
	if (ret) {
		fprintf(stderr, "portcheck: %s\n", strerror(-ret));
		return 1;
	}
	for (i = 0; i < found && i < 64; i++)
		printf("port=%u family=%s pid=%d comm=%s\n", h[i].port, h[i].family == AF_INET ? "ipv4" : "ipv6",
		       (int)h[i].pid, h[i].pid ? h[i].comm : "-");
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_err nle = { 0 };
	char why[300];
	enum wgdev_backend be;
	const char *cmd, *ifname;
	int netns_fd = -1, ifindex, ret;
	uint16_t lo, hi;
	pid_t pid;

	wgm_log_init("wgdev-tool");
	wgm_log_threshold = WGM_LOG_DEBUG;
	if (argc < 2 || sodium_init() < 0)
		return usage();
	cmd = argv[1];
	be = wgdev_detect();
	if (!strcmp(cmd, "detect")) {
		printf("%s\n", wgdev_backend_name(be));
		return 0;
	}
	if (!strcmp(cmd, "portcheck"))
		return cmd_portcheck(argc - 2, argv + 2);
	if (!strcmp(cmd, "ephemeral")) {
		ret = portcheck_ephemeral_range(&lo, &hi, NULL);
		if (ret)
			return 1;
		printf("%u %u\n", lo, hi);
		return 0;
	}
	if (argc < 3)
		return usage();
	ifname = argv[2];
	if (!strcmp(cmd, "sync"))
		return cmd_sync(be, argc - 2, argv + 2);
	if (argc == 5 && !strcmp(argv[3], "--netns"))
		netns_fd = open_netns(argv[4]);
	else if (argc != 3)
		return usage();
	if (!strcmp(cmd, "create")) {
		ret = wgdev_create(be, ifname, &ifindex, &nle);
		if (!ret)
			printf("ifindex=%d\n", ifindex);
	} else if (!strcmp(cmd, "destroy")) {
		ret = wgdev_destroy(be, ifname, netns_fd, &nle);
	} else if (!strcmp(cmd, "pid")) {
		ret = wgdev_userspace_pid(ifname, &pid, &nle);
		if (!ret)
			printf("%d\n", (int)pid);
	} else if (!strcmp(cmd, "get")) {
		return cmd_get(be, ifname, netns_fd);
	} else {
		return usage();
	}
	if (ret)
		fprintf(stderr, "%s %s: %s\n", cmd, ifname, nl_err_str(&nle, ret, why, sizeof(why)));
	return ret ? 1 : 0;
}

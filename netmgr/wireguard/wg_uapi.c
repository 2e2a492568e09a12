/* The userspace back end: a daemon speaking the cross-platform UAPI
 * (https://www.wireguard.com/xplatform/) on /run/wireguard/<if>.sock, wireguard-go unless
 * $WG_USERSPACE_IMPLEMENTATION names another. The daemon runs in the foreground
 * (WG_PROCESS_FOREGROUND=1), detached by the one spawn helper (a grandchild in its own session),
 * so it outlives the manager and is the process that listens on the socket: SO_PEERCRED then
 * names it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "log.h"
#include "spawn.h"
#include "link.h"
#include "nl.h"
#include "uapi_limits.h"
#include "wg_uapi.h"

#define UAPI_DIR "/run/wireguard"
#define UAPI_REPLY_MAX (16u << 20)
#define UAPI_IO_TIMEOUT_MS 5000
#define START_TIMEOUT_MS 10000
/* SCHED_RR for every userspace daemon: it carries BFD's packets, and a busy CPU must not make
 * them late (at 10 ms x 5, 50 ms of waiting behind other work is a false link down). Below
 * BIRD's 20 (wgmesh-bird@.service), which only sends them; the kernel's realtime throttle
 * (sched_rt_runtime_us, 95 %) still leaves the rest of the machine its share under a flood. */
#define WG_UAPI_RT_PRIORITY 10
#define EXIT_TIMEOUT_MS 5000

extern char **environ;

static void sock_path(const char *ifname, char path[sizeof(((struct sockaddr_un *)0)->sun_path)])
{
	snprintf(path, sizeof(((struct sockaddr_un *)0)->sun_path), UAPI_DIR "/%s.sock", ifname);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* -ENOENT: no socket file; -ECONNREFUSED: a stale file nobody listens on. */
static int uapi_connect(const char *ifname, int *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ret;

	sock_path(ifname, sun.sun_path);
	*out = -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		ret = errno ? -errno : -EIO;
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One request, one reply: the reply ends at its first empty line. */
static int uapi_exchange(const char *ifname, const struct wgm_buf *req, struct wgm_buf *reply)
{
	struct pollfd pfd;
	ssize_t n;
	int fd, ret;

	ret = uapi_connect(ifname, &fd);
	if (ret)
		return ret == -ECONNREFUSED || ret == -ENOENT ? -ENODEV : ret;
	nl_counts.requests++;
	ret = write_all(fd, req->p, req->len);
	while (!ret) {
		if (reply->len >= 2 && !memcmp(reply->p + reply->len - 2, "\n\n", 2))
			break;
		if (reply->len == 1 && reply->p[0] == '\n')
			break;
		if (reply->len >= UAPI_REPLY_MAX) {
			ret = -EMSGSIZE;
			break;
		}
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		n = poll(&pfd, 1, UAPI_IO_TIMEOUT_MS);
		if (n == 0)
			ret = -ETIMEDOUT;
		if (n <= 0) {
			ret = n < 0 && errno != EINTR ? -errno : ret;
			continue;
		}
		ret = wgm_buf_reserve(reply, 4096);
		if (ret)
			break;
		n = recv(fd, reply->p + reply->len, 4096, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = n < 0 ? -errno : -ECONNRESET;
			break;
		}
		reply->len += (size_t)n;
		reply->p[reply->len] = '\0';
	}
	close(fd);
	return ret;
}

static int parse_u64(const char *key, const char *v, uint64_t max, uint64_t *out, struct nl_err *e)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (!*v || *end || errno || x > max || *v == '-')
		return nl_err_fmt(e, -EBADMSG, "UAPI reply: %s=\"%.40s\" is not a number up to %llu", key, v,
				  (unsigned long long)max);
	*out = x;
	return 0;
}

/* errno=N ends every reply; wireguard-go sends N negated (errno=-98 for a port in use). */
static int parse_errno(const char *v, uint64_t *err, struct nl_err *e)
{
	return parse_u64("errno", v + (*v == '-'), INT_MAX, err, e);
}

static int parse_hex_key(const char *key, const char *v, struct wgm_key *out, struct nl_err *e)
{
	size_t len;

	if (strlen(v) != 2 * WGM_KEY_LEN ||
	    sodium_hex2bin(out->b, WGM_KEY_LEN, v, 2 * WGM_KEY_LEN, NULL, &len, NULL) || len != WGM_KEY_LEN)
		return nl_err_fmt(e, -EBADMSG, "UAPI reply: %s is not 64 hex digits", key);
	return 0;
}

/* "a.b.c.d:port" or "[v6]:port" (a scope suffix "%x" is dropped). */
static int parse_endpoint(const char *v, struct sockaddr_storage *out, struct nl_err *e)
{
	char host[INET6_ADDRSTRLEN + 16];
	const char *colon, *port_s;
	struct sockaddr_in *s4 = (void *)out;
	struct sockaddr_in6 *s6 = (void *)out;
	uint64_t port;
	size_t hlen;
	char *pct;

	memset(out, 0, sizeof(*out));
	colon = strrchr(v, ':');
	if (!colon)
		goto bad;
	port_s = colon + 1;
	if (v[0] == '[') {
		if (colon == v || colon[-1] != ']')
			goto bad;
		hlen = (size_t)(colon - v) - 2;
		v++;
	} else {
		hlen = (size_t)(colon - v);
	}
	if (hlen >= sizeof(host) || parse_u64("endpoint port", port_s, 65535, &port, NULL))
		goto bad;
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	pct = strchr(host, '%');
	if (pct)
		*pct = '\0';
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
bad:
	return nl_err_fmt(e, -EBADMSG, "UAPI reply: endpoint \"%.60s\" is not address:port", v);
}

static int parse_allowed(const char *v, struct wgdev_peer *p, struct nl_err *e)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	uint64_t cidr;
	int family;
	size_t len;

	if (!slash || (size_t)(slash - v) >= sizeof(addr))
		goto bad;
	len = (size_t)(slash - v);
	memcpy(addr, v, len);
	addr[len] = '\0';
	family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (parse_u64("allowed_ip prefix", slash + 1, family == AF_INET ? 32 : 128, &cidr, NULL))
		goto bad;
	if (p->n_allowed == WGDEV_MAX_ALLOWED) {
		p->allowed_truncated = true;
		return 0;
	}
	memset(p->allowed[p->n_allowed].addr, 0, 16);
	if (inet_pton(family, addr, p->allowed[p->n_allowed].addr) != 1)
		goto bad;
	p->allowed[p->n_allowed].family = family;
	p->allowed[p->n_allowed].cidr = (uint8_t)cidr;
	p->n_allowed++;
	return 0;
bad:
	return nl_err_fmt(e, -EBADMSG, "UAPI reply: allowed_ip \"%.60s\" is not address/prefix", v);
}

/* The "get=1" reply: key=value lines; a public_key line starts a peer; errno=N ends it. */
static int parse_get(char *text, struct wgdev_config *out, struct nl_err *e)
{
	struct wgdev_peer *peer = NULL;
	size_t cap = 0;
	char *line, *save = NULL, *eq;
	uint64_t x = 0;
	int ret = 0, err = -EBADMSG;
	bool seen_errno = false;

	for (line = strtok_r(text, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save)) {
		eq = strchr(line, '=');
		if (!eq)
			return nl_err_fmt(e, -EBADMSG, "UAPI reply: line \"%.60s\" has no '='", line);
		*eq = '\0';
		const char *k = line, *v = eq + 1;

		if (!strcmp(k, "errno")) {
			ret = parse_errno(v, &x, e);
			err = -(int)x;
			seen_errno = true;
		} else if (!strcmp(k, "private_key")) {
			ret = parse_hex_key(k, v, &out->private_key, e);
			out->has_private_key = !ret && !sodium_is_zero(out->private_key.b, WGM_KEY_LEN);
		} else if (!strcmp(k, "listen_port")) {
			ret = parse_u64(k, v, 65535, &x, e);
			out->listen_port = (uint16_t)x;
		} else if (!strcmp(k, "public_key")) {
			ret = wgdev_peer_append(out, &cap, &peer);
			if (ret)
				nl_err_set(e, ret, NULL);
			if (!ret)
				ret = parse_hex_key(k, v, &peer->public_key, e);
		} else if (!peer) {
			continue; /* device keys we do not use: fwmark, ... */
		} else if (!strcmp(k, "endpoint")) {
			ret = parse_endpoint(v, &peer->endpoint, e);
			peer->has_endpoint = !ret;
		} else if (!strcmp(k, "persistent_keepalive_interval")) {
			ret = parse_u64(k, v, 65535, &x, e);
			peer->keepalive = (uint16_t)x;
		} else if (!strcmp(k, "allowed_ip")) {
			ret = parse_allowed(v, peer, e);
		} else if (!strcmp(k, "last_handshake_time_sec")) {
			ret = parse_u64(k, v, INT64_MAX, &x, e);
			peer->last_handshake.tv_sec = (time_t)x;
		} else if (!strcmp(k, "last_handshake_time_nsec")) {
			ret = parse_u64(k, v, 999999999, &x, e);
			peer->last_handshake.tv_nsec = (long)x;
		} else if (!strcmp(k, "rx_bytes")) {
			ret = parse_u64(k, v, UINT64_MAX, &peer->rx_bytes, e);
		} else if (!strcmp(k, "tx_bytes")) {
			ret = parse_u64(k, v, UINT64_MAX, &peer->tx_bytes, e);
		}
	}
	if (ret || !err)
		return ret;
	return nl_err_set(e, err, seen_errno ? "userspace WireGuard refused the get" : "UAPI reply without errno=N");
}

int wg_uapi_get(const char *ifname, struct wgdev_config *out, struct nl_err *e)
{
	struct wgm_buf req = { 0 }, reply = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ret = wgm_buf_append(&req, "get=1\n\n", 7);
	if (!ret)
		ret = uapi_exchange(ifname, &req, &reply);
	if (ret)
		nl_err_set(e, ret, NULL);
	else
		ret = parse_get((char *)reply.p, out, e);
	wgm_buf_free(&req);
	wgm_buf_free(&reply); /* holds the private key in hex */
	if (ret)
		wgdev_config_free(out);
	return ret;
}

static int append_hex_key(struct wgm_buf *b, const char *name, const struct wgm_key *k)
{
	char hex[2 * WGM_KEY_LEN + 1];
	int ret;

	sodium_bin2hex(hex, sizeof(hex), k->b, WGM_KEY_LEN);
	ret = wgm_buf_appendf(b, "%s=%s\n", name, hex);
	sodium_memzero(hex, sizeof(hex));
	return ret;
}

static int append_endpoint(struct wgm_buf *b, const struct sockaddr_storage *ss)
{
	char addr[INET6_ADDRSTRLEN];
	const struct sockaddr_in *s4 = (const void *)ss;
	const struct sockaddr_in6 *s6 = (const void *)ss;

	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof(addr));
		return wgm_buf_appendf(b, "endpoint=%s:%u\n", addr, ntohs(s4->sin_port));
	}
	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof(addr));
		return wgm_buf_appendf(b, "endpoint=[%s]:%u\n", addr, ntohs(s6->sin6_port));
	}
	return -EAFNOSUPPORT;
}

static int append_peer(struct wgm_buf *b, const struct wgset_peer *p)
{
	char addr[INET6_ADDRSTRLEN];
	size_t i;
	int ret;

	ret = append_hex_key(b, "public_key", &p->public_key);
	if (ret || p->remove)
		return ret ? ret : wgm_buf_appendf(b, "remove=true\n");
	if (p->set_endpoint && (ret = append_endpoint(b, &p->endpoint)))
		return ret;
	if (p->set_keepalive && (ret = wgm_buf_appendf(b, "persistent_keepalive_interval=%u\n", p->keepalive)))
		return ret;
	if (!p->replace_allowed)
		return 0;
	ret = wgm_buf_appendf(b, "replace_allowed_ips=true\n");
	for (i = 0; !ret && i < p->n_allowed; i++) {
		inet_ntop(p->allowed[i].family, p->allowed[i].addr, addr, sizeof(addr));
		ret = wgm_buf_appendf(b, "allowed_ip=%s/%u\n", addr, p->allowed[i].cidr);
	}
	return ret;
}

int wg_uapi_set(const struct wgset *s, struct nl_err *e)
{
	struct wgm_buf req = { 0 }, reply = { 0 };
	uint64_t err;
	size_t i;
	int ret;

	/* req and reply hold the private key in hex: wgm_buf wipes what it outgrows and frees. */
	ret = wgm_buf_appendf(&req, "set=1\n");
	if (!ret && s->set_private_key)
		ret = append_hex_key(&req, "private_key", &s->private_key);
	if (!ret && s->set_listen_port)
		ret = wgm_buf_appendf(&req, "listen_port=%u\n", s->listen_port);
	for (i = 0; !ret && i < s->n_peers; i++)
		ret = append_peer(&req, &s->peers[i]);
	if (!ret)
		ret = wgm_buf_append(&req, "\n", 1);
	if (!ret) {
		nl_counts.writes++;
		ret = uapi_exchange(s->ifname, &req, &reply);
	}
	if (ret) {
		nl_err_set(e, ret, NULL);
	} else if (reply.len < 8 || strncmp((char *)reply.p, "errno=", 6)) {
		ret = nl_err_fmt(e, -EBADMSG, "UAPI reply on %s: expected errno=N, got \"%.40s\"", s->ifname,
				 (char *)reply.p);
	} else {
		reply.p[reply.len - 2] = '\0';
		ret = parse_errno((char *)reply.p + 6, &err, e);
		if (!ret && err)
			ret = nl_err_fmt(e, -(int)err, "userspace WireGuard refused the configuration of %s",
					 s->ifname);
	}
	wgm_buf_free(&req);
	wgm_buf_free(&reply);
	return ret;
}

int wg_uapi_pid(const char *ifname, pid_t *pid, struct nl_err *e)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd, ret;

	ret = uapi_connect(ifname, &fd);
	if (ret)
		return nl_err_set(e, ret == -ECONNREFUSED ? -ENOENT : ret, NULL);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		ret = -errno;
	else if (cred.pid <= 0)
		ret = -ESRCH;
	else
		*pid = cred.pid;
	close(fd);
	return ret ? nl_err_set(e, ret, NULL) : 0;
}

static int pidfd_open_pid(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* The program and its environment, made before fork: the child only calls exec.
 * GOMAXPROCS=1 unless the operator set it: there is one daemon per link, and Go's default of one
 * scheduler thread per CPU makes dozens of mostly idle daemons spin against each other (10
 * nodes, 90 wireguard-go on 2 cores: load 65, BFD flapping; with 1: load 3, all sessions up). */
static int build_env(char ***envp)
{
	size_t n = 0, i, j = 0;
	bool has_gomaxprocs = false;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (!strncmp(environ[i], "GOMAXPROCS=", 11))
			has_gomaxprocs = true;
		if (strncmp(environ[i], "WG_PROCESS_FOREGROUND=", 22))
			env[j++] = environ[i];
	}
	env[j++] = "WG_PROCESS_FOREGROUND=1";
	if (!has_gomaxprocs)
		env[j++] = "GOMAXPROCS=1";
	env[j] = NULL;
	*envp = env;
	return 0;
}

/* Polls for the UAPI socket; fails early when the daemon exits first. */
static int wait_for_socket(const char *prog, const char *ifname, int pidfd, struct nl_err *e)
{
	int64_t deadline = now_ms() + START_TIMEOUT_MS;
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int fd, ret;

	for (;;) {
		ret = uapi_connect(ifname, &fd);
		if (!ret) {
			close(fd);
			return 0;
		}
		if (now_ms() > deadline)
			return nl_err_fmt(e, -ETIMEDOUT, "%s did not open " UAPI_DIR "/%s.sock within %d ms", prog,
					  ifname, START_TIMEOUT_MS);
		if (poll(&pfd, 1, 20) > 0) {
			int limit = wg_uapi_inotify_limit(), used = wg_uapi_inotify_in_use();

			/* wireguard-go's usual death at start: no inotify instance left for it. */
			if (limit >= 0 && used >= limit)
				return nl_err_fmt(e, -ECHILD, "%s exited before opening " UAPI_DIR "/%s.sock: all %d inotify instances of %s are in use (it needs one): raise that limit",
						  prog, ifname, limit, WG_UAPI_INOTIFY_SYSCTL);
			return nl_err_fmt(e, -ECHILD, "%s exited before opening " UAPI_DIR "/%s.sock: run '%s -f %s' by hand to see why",
					  prog, ifname, prog, ifname);
		}
	}
}

int wg_uapi_create(const char *ifname, int *ifindex, struct nl_err *e)
{
	const char *prog = getenv("WG_USERSPACE_IMPLEMENTATION");
	char *argv[3] = { NULL, (char *)ifname, NULL };
	/* A daemon must not hold the caller's terminal or pipe open for the rest of its life
	 * (`out=$(wgmesh-net up 2>&1)` would never return), nor any of our other descriptors
	 * (netlink sockets, the dnsfetch channel): /dev/null for all three, nothing else. */
	struct wgm_spawn sp = {
		.search_path = true,
		.argv = argv,
		.fds = { WGM_SPAWN_DEVNULL, WGM_SPAWN_DEVNULL, WGM_SPAWN_DEVNULL },
		.n_fds = 3,
		.detach = true,
		.rt_priority = WG_UAPI_RT_PRIORITY,
	};
	static bool told_no_rt;
	struct wgm_child daemon = { .pidfd = -1 };
	char **envp = NULL, err[256];
	unsigned int idx;
	bool exists;
	int ret, fd;

	if (!prog || !*prog)
		prog = "wireguard-go";
	exists = if_nametoindex(ifname) != 0;
	if (!exists && uapi_connect(ifname, &fd) == 0) {
		close(fd);
		exists = true;
	}
	if (exists)
		return nl_err_fmt(e, -EEXIST, "a link or a live " UAPI_DIR "/%s.sock of that name exists", ifname);
	ret = build_env(&envp);
	if (ret)
		return nl_err_set(e, ret, NULL);
	sp.path = prog;
	argv[0] = (char *)prog;
	sp.envp = envp;
	ret = wgm_spawn(&sp, &daemon, err, sizeof(err));
	if (ret) {
		nl_err_fmt(e, ret, "%s (set WG_USERSPACE_IMPLEMENTATION or install wireguard-go)", err);
		goto cleanup;
	}
	ret = wait_for_socket(prog, ifname, daemon.pidfd, e);
	if (ret)
		goto stop_daemon;
	idx = if_nametoindex(ifname);
	if (!idx) {
		ret = nl_err_fmt(e, -errno, "%s opened its socket but there is no link %s", prog, ifname);
		goto stop_daemon;
	}
	*ifindex = (int)idx;
	log_debug("started %s for %s: pid %d, ifindex %u", prog, ifname, (int)daemon.pid, idx);
	if (sched_getscheduler(daemon.pid) != SCHED_RR && !told_no_rt) {
		told_no_rt = true;
		log_warn("%s for %s runs at normal priority, realtime refused (CAP_SYS_NICE, RestrictRealtime=?): on a busy CPU BFD may see its link down",
			 prog, ifname);
	}
	goto cleanup;
stop_daemon:
	kill(daemon.pid, SIGTERM);
cleanup:
	wgm_child_release(&daemon);
	free(envp);
	return ret;
}

static bool wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	int64_t deadline = now_ms() + timeout_ms;
	int left;

	while ((left = (int)(deadline - now_ms())) > 0) {
		if (poll(&pfd, 1, left) > 0)
			return true;
	}
	return false;
}

int wg_uapi_destroy(const char *ifname, int netns_fd, struct nl_err *e)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	pid_t pid = 0;
	int pidfd = -1, ret;

	if (wg_uapi_pid(ifname, &pid, NULL) == 0)
		pidfd = pidfd_open_pid(pid);
	/* The daemon exits when its TUN goes away, wherever that TUN lives now. */
	ret = link_delete_in(netns_fd, ifname, e);
	if (ret == -ENODEV)
		ret = 0;
	if (ret)
		goto cleanup;
	if (pidfd >= 0 && !wait_exit(pidfd, EXIT_TIMEOUT_MS)) {
		log_warn("userspace WireGuard for %s (pid %d) still runs after its link went: sending SIGTERM",
			 ifname, (int)pid);
		kill(pid, SIGTERM);
		if (!wait_exit(pidfd, EXIT_TIMEOUT_MS)) {
			ret = nl_err_fmt(e, -ETIMEDOUT, "userspace WireGuard for %s (pid %d) does not exit", ifname,
					 (int)pid);
			goto cleanup;
		}
	}
	sock_path(ifname, path);
	if (unlink(path) < 0 && errno != ENOENT)
		ret = nl_err_fmt(e, -errno, "removing %s", path);
cleanup:
	if (pidfd >= 0)
		close(pidfd);
	return ret;
}

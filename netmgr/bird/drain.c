#include "drain.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "atomicfile.h"
#include "birdctl.h"
#include "birdstate.h"
#include "log.h"
#include "names.h"

#define DRAIN_POLL_MS 100

static int flag_path(const char *state_dir, const char *domain, char *out, size_t outlen)
{
	return wgm_domain_file(state_dir, domain, "drained", out, outlen);
}

int drain_flag_read(const char *state_dir, const char *domain, bool *drained)
{
	char path[4096];
	struct stat st;
	int ret = flag_path(state_dir, domain, path, sizeof(path));

	*drained = false;
	if (ret)
		return ret;
	if (stat(path, &st) == 0) {
		*drained = true;
		return 0;
	}
	return errno == ENOENT ? 0 : -errno;
}

int drain_flag_write(const char *state_dir, const char *domain, bool drained, char *err,
		     size_t errlen)
{
	static const char text[] =
		"# wgmesh-net drain: this node asks its peers to route around it (BGP graceful\n"
		"# shutdown) until wgmesh-net undrain removes this file.\n";
	char path[4096];
	int ret = flag_path(state_dir, domain, path, sizeof(path));

	if (ret) {
		snprintf(err, errlen, "bad state directory \"%s\" or domain \"%s\"", state_dir, domain);
		return ret;
	}
	if (drained)
		ret = wgm_write_atomic(path, text, sizeof(text) - 1, 0644);
	else if (unlink(path) < 0 && errno != ENOENT)
		ret = -errno;
	if (ret)
		snprintf(err, errlen, "cannot %s %s: %s", drained ? "write" : "remove", path,
			 strerror(-ret));
	return ret;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* BIRD runs when its control socket is there and greets. */
static bool bird_socket(const char *netns, char *sock, size_t socklen)
{
	struct stat st;

	return birdgen_socket_path(NULL, netns, sock, socklen) == 0 && stat(sock, &st) == 0 &&
	       S_ISSOCK(st.st_mode);
}

int drain_set(const char *bird_dir, const char *netns, enum birdgen_drain state,
	      bool *bird_answers, char *err, size_t errlen)
{
	char sock[256], msg[512], conf[4096];
	bool changed = false;
	struct stat st;
	int ret;

	*bird_answers = false;
	/* No configuration, no BIRD of ours to tell: up writes the drain file with it. */
	if (birdgen_conf_path(bird_dir, netns, conf, sizeof(conf)) < 0 || stat(conf, &st) < 0)
		return 0;
	ret = birdgen_write_drain(bird_dir, netns, state, &changed, err, errlen);
	if (ret < 0 || !bird_socket(netns, sock, sizeof(sock)))
		return ret;
	/* Unchanged, BIRD has it already; a BIRD that is not there is not an error: it reads
	 * the file when it starts. */
	ret = changed ? birdctl_configure(sock, msg, sizeof(msg)) : 0;
	if (ret == -EREMOTEIO) {
		snprintf(err, errlen, "BIRD (%s) refused the drain state: %s", sock, msg);
		return ret;
	}
	*bird_answers = ret == 0;
	if (ret < 0)
		log_debug("BIRD (%s) does not answer: %s", sock, strerror(-ret));
	return 0;
}

static bool is_established(const struct bird_link *l)
{
	return !strcmp(l->bgp_state, "Established");
}

static bool same_prefix(const struct wgm_prefix *a, const struct wgm_prefix *b)
{
	if (a->len != b->len || a->addr.family != b->addr.family)
		return false;
	return a->addr.family == AF_INET ? a->addr.v4.s_addr == b->addr.v4.s_addr
					 : !memcmp(&a->addr.v6, &b->addr.v6, sizeof(a->addr.v6));
}

static void prefix_text(const struct wgm_prefix *p, char *out, size_t outlen)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(p->addr.family, p->addr.family == AF_INET ? (const void *)&p->addr.v4
							    : (const void *)&p->addr.v6, ip, sizeof(ip));
	snprintf(out, outlen, "%s/%u", ip, p->len);
}

static bool announces(const struct bird_state *s, const struct wgm_prefix *dst, const char *proto)
{
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct bird_route *r = &s->routes[i];

		if (same_prefix(&r->dst, dst) && !strcmp(r->proto, proto))
			return true;
	}
	return false;
}

/* The pending (peer, net) pairs of one reading of BIRD's state. */
static void count_pending(const struct bird_state *s, struct drain_progress *p)
{
	p->peers = 0;
	p->pending = 0;
	p->example[0] = 0;
	for (size_t j = 0; j < s->n_links; j++)
		p->peers += is_established(&s->links[j]);
	for (size_t i = 0; i < s->n_routes; i++) {
		const struct bird_route *r = &s->routes[i];

		if (!r->primary || !r->proto[0])
			continue;
		for (size_t j = 0; j < s->n_links; j++) {
			const struct bird_link *l = &s->links[j];
			char txt[64];

			if (!is_established(l) || !strcmp(l->name, r->proto) ||
			    announces(s, &r->dst, l->name))
				continue;
			if (p->pending++)
				continue;
			prefix_text(&r->dst, txt, sizeof(txt));
			snprintf(p->example, sizeof(p->example),
					 "the peer on %s still routes %s through this node", l->name, txt);
		}
	}
}

int drain_wait(const char *netns, unsigned timeout_ms, struct drain_progress *p, char *err,
	       size_t errlen)
{
	long start = now_ms();
	char sock[256];
	int ret;

	memset(p, 0, sizeof(*p));
	if (birdgen_socket_path(NULL, netns, sock, sizeof(sock)) < 0) {
		snprintf(err, errlen, "bad namespace name \"%s\"", netns);
		return -EINVAL;
	}
	for (;;) {
		struct bird_state s;

		ret = bird_state_read(sock, &s, err, errlen);
		if (ret < 0)
			return ret;
		count_pending(&s, p);
		bird_state_free(&s);
		p->elapsed_ms = now_ms() - start;
		if (!p->pending)
			return 0;
		if (p->elapsed_ms >= (long)timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(DRAIN_POLL_MS);
	}
}

int drain_cease(const char *netns, unsigned timeout_ms, char *err, size_t errlen)
{
	struct wgm_buf reply = { 0 };
	long start = now_ms();
	char sock[256];
	int ret;

	if (!bird_socket(netns, sock, sizeof(sock)))
		return 0;
	/* "disable" sends the Cease (administrative shutdown) to each peer; the configuration
	 * knows nothing of it, so the next BIRD, or a configure, enables the sessions again. */
	ret = birdctl_command(sock, "disable \"wg*\"", &reply, err, errlen);
	wgm_buf_free(&reply);
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		return 0;
	while (ret == 0) {
		struct bird_state s;
		bool up = false;

		ret = bird_state_read(sock, &s, err, errlen);
		if (ret < 0)
			break;
		for (size_t j = 0; j < s.n_links; j++)
			up = up || is_established(&s.links[j]) || !strcmp(s.links[j].proto_state, "stop");
		bird_state_free(&s);
		if (!up)
			break;
		if (now_ms() - start >= (long)timeout_ms) {
			snprintf(err, errlen, "BGP sessions still closing after %u ms", timeout_ms);
			ret = -ETIMEDOUT;
			break;
		}
		sleep_ms(20);
	}
	return ret;
}

int drain_uncease(const char *netns, char *err, size_t errlen)
{
	struct wgm_buf reply = { 0 };
	char sock[256];
	int ret;

	if (!bird_socket(netns, sock, sizeof(sock)))
		return 0;
	ret = birdctl_command(sock, "enable \"wg*\"", &reply, err, errlen);
	wgm_buf_free(&reply);
	return ret == -ENOENT || ret == -ECONNREFUSED ? 0 : ret;
}

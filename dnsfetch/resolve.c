/* c-ares, driven synchronously with poll(): UDP with EDNS0, TCP when the answer is truncated
 * (c-ares retries over TCP by itself), explicit servers or resolv.conf, capped answers. */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "resolve.h"

#define DEFAULT_TIMEOUT_MS 2000
#define DEFAULT_TRIES 3
/* RFC 6891 / DNS flag day 2020: a UDP size that avoids fragmentation; bigger answers go TCP. */
#define EDNS_UDP_SIZE 1232

struct wgm_resolver {
	ares_channel channel;
};

/* What one query's callback leaves behind. */
struct query_state {
	bool done;
	bool cancelled; /* the budget ran out and we cancelled it */
	int ret;
	const char *name;
	struct wgm_fetch_result *r;
};

static enum wgm_fetch_status status_from_ares(int st)
{
	switch (st) {
	case ARES_SUCCESS:
		return WGM_FETCH_OK;
	case ARES_ENOTFOUND:
		return WGM_FETCH_NXDOMAIN;
	case ARES_ENODATA:
		return WGM_FETCH_NODATA;
	case ARES_ESERVFAIL:
		return WGM_FETCH_SERVFAIL;
	case ARES_EREFUSED:
		return WGM_FETCH_REFUSED;
	/* A server that cannot be reached at all is "unreachable" like one that is silent:
	 * neither may be taken to mean the record is gone. */
	case ARES_ETIMEOUT:
	case ARES_ECONNREFUSED:
		return WGM_FETCH_TIMEOUT;
	default:
		return WGM_FETCH_ERROR;
	}
}

/* Sets the result for a failed or empty look-up; only ERROR-class outcomes are -errno. */
static int finish_status(struct wgm_fetch_result *r, int ares_status, const char *name)
{
	r->status = status_from_ares(ares_status);
	if (r->status != WGM_FETCH_OK)
		snprintf(r->detail, sizeof(r->detail), "%s: %s", name, ares_strerror(ares_status));
	return r->status == WGM_FETCH_ERROR ? -EIO : 0;
}

int wgm_resolver_new(const struct wgm_fetch_opts *o, struct wgm_resolver **out, char *err,
		     size_t errlen)
{
	struct ares_options opts = { 0 };
	struct wgm_resolver *res;
	char csv[WGM_FETCH_MAX_SERVERS * 66];
	char lookups[] = "b";
	size_t i, off = 0;
	int st;

	st = ares_library_init(ARES_LIB_INIT_ALL);
	if (st != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(st));
		return -ENOMEM;
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		ares_library_cleanup();
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* NOCHECKRESP: hand SERVFAIL and REFUSED up as such; by default c-ares takes them as an
	 * unreachable server and reports only "could not contact". */
	opts.flags = ARES_FLAG_EDNS | ARES_FLAG_NOCHECKRESP;
	/* No HOSTALIASES file: a name means what DNS says, and the sandboxed child may not open
	 * files (the open would kill it). */
	opts.flags |= ARES_FLAG_NOALIASES;
	opts.ednspsz = EDNS_UDP_SIZE;
	opts.timeout = o->timeout_ms ? (int)o->timeout_ms : DEFAULT_TIMEOUT_MS;
	opts.tries = o->tries ? (int)o->tries : DEFAULT_TRIES;
	/* DNS only: /etc/hosts would need the file system, which the sandboxed child has not. */
	opts.lookups = lookups;
	st = ares_init_options(&res->channel, &opts,
			       ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ | ARES_OPT_TIMEOUTMS |
				       ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
	if (st != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares initialisation failed: %s", ares_strerror(st));
		free(res);
		ares_library_cleanup();
		return st == ARES_ENOMEM ? -ENOMEM : -EIO;
	}
	for (i = 0; i < o->n_servers && i < WGM_FETCH_MAX_SERVERS; i++) {
		int n = snprintf(csv + off, sizeof(csv) - off, "%s%s", i ? "," : "", o->servers[i]);

		if (n < 0 || (size_t)n >= sizeof(csv) - off) {
			snprintf(err, errlen, "DNS server list too long");
			wgm_resolver_free(res);
			return -EINVAL;
		}
		off += (size_t)n;
	}
	if (off) {
		st = ares_set_servers_ports_csv(res->channel, csv);
		if (st != ARES_SUCCESS) {
			snprintf(err, errlen, "DNS servers \"%s\" rejected by c-ares: %s", csv,
				 ares_strerror(st));
			wgm_resolver_free(res);
			return -EINVAL;
		}
	}
	*out = res;
	return 0;
}

void wgm_resolver_free(struct wgm_resolver *res)
{
	if (!res)
		return;
	ares_destroy(res->channel);
	ares_library_cleanup();
	free(res);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the channel until the pending query's callback has fired. c-ares enforces the per-try
 * timeouts itself; ares_timeout() tells poll how long it may sleep. A budget cuts it short:
 * the caller asked for an answer by then, and "no answer yet" is a timeout. */
static int run_until_done(struct wgm_resolver *res, struct query_state *q, unsigned budget_ms)
{
	long long deadline = now_ms() + budget_ms;

	while (!q->done) {
		ares_socket_t socks[ARES_GETSOCK_MAXNUM];
		struct pollfd pfd[ARES_GETSOCK_MAXNUM];
		struct timeval tv, *tvp;
		int bits = ares_getsock(res->channel, socks, ARES_GETSOCK_MAXNUM);
		int i, n = 0, ms, ready;

		for (i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
			short ev = 0;

			/* c-ares' own GETSOCK macros shift a signed 1 into the sign bit. */
			if ((unsigned)bits & (1u << i))
				ev |= POLLIN;
			if ((unsigned)bits & (1u << (i + ARES_GETSOCK_MAXNUM)))
				ev |= POLLOUT;
			if (!ev)
				continue;
			pfd[n].fd = socks[i];
			pfd[n].events = ev;
			pfd[n].revents = 0;
			n++;
		}
		tvp = ares_timeout(res->channel, NULL, &tv);
		ms = tvp ? (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000) : 1000;
		if (budget_ms) {
			long long left = deadline - now_ms();

			if (left <= 0) {
				q->cancelled = true;
				ares_cancel(res->channel);
				break;
			}
			if (left < ms)
				ms = (int)left;
		}
		ready = poll(pfd, (nfds_t)n, ms);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (ready == 0) {
			ares_process_fd(res->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			ares_process_fd(res->channel,
					pfd[i].revents & (POLLIN | POLLERR | POLLHUP) ? pfd[i].fd
										  : ARES_SOCKET_BAD,
					pfd[i].revents & POLLOUT ? pfd[i].fd : ARES_SOCKET_BAD);
		}
	}
	if (q->cancelled) {
		wgm_strv_free(&q->r->txt);
		q->r->status = WGM_FETCH_TIMEOUT;
		snprintf(q->r->detail, sizeof(q->r->detail), "%s: no answer within %u ms", q->name,
			 budget_ms);
		q->ret = 0;
	}
	return q->ret;
}

/* Joins each RR's character-strings (record_start marks a new RR) and checks the caps. */
static int collect_txt(const struct ares_txt_ext *list, const char *name,
		       struct wgm_fetch_result *r)
{
	struct wgm_buf cur = { 0 };
	size_t total = 0;
	int ret = 0;

	for (const struct ares_txt_ext *t = list; t; t = t->next) {
		if (t->record_start && t != list) {
			ret = wgm_strv_pushn(&r->txt, (const char *)cur.p, cur.len);
			if (ret)
				goto out;
			wgm_buf_reset(&cur);
		}
		if (memchr(t->txt, '\0', t->length)) {
			snprintf(r->detail, sizeof(r->detail),
				 "TXT %s holds a NUL byte; wgmesh records are base64 text", name);
			ret = -EBADMSG;
			goto out;
		}
		total += t->length;
		if (total > WGM_FETCH_MAX_ANSWER || r->txt.n >= WGM_FETCH_MAX_RRS) {
			snprintf(r->detail, sizeof(r->detail),
				 "TXT %s is over the cap of %d RRs / %d bytes", name,
				 WGM_FETCH_MAX_RRS, WGM_FETCH_MAX_ANSWER);
			ret = -EFBIG;
			goto out;
		}
		ret = wgm_buf_append(&cur, t->txt, t->length);
		if (ret)
			goto out;
	}
	if (list)
		ret = wgm_strv_pushn(&r->txt, cur.p ? (const char *)cur.p : "", cur.len);
out:
	wgm_buf_free(&cur);
	return ret;
}

static void txt_callback(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct query_state *q = arg;
	struct wgm_fetch_result *r = q->r;
	struct ares_txt_ext *list = NULL;
	const char *qname = q->name;

	(void)timeouts;
	q->done = true;
	if (status != ARES_SUCCESS) {
		q->ret = finish_status(r, status, qname);
		return;
	}
	if (alen < 0 || alen > WGM_FETCH_MAX_ANSWER) {
		snprintf(r->detail, sizeof(r->detail), "TXT %s: answer of %d bytes is over the cap",
			 qname, alen);
		q->ret = -EFBIG;
		return;
	}
	status = ares_parse_txt_reply_ext(abuf, alen, &list);
	if (status != ARES_SUCCESS) {
		q->ret = finish_status(r, status, qname);
		return;
	}
	q->ret = collect_txt(list, qname, r);
	ares_free_data(list);
	if (q->ret) {
		wgm_strv_free(&r->txt);
		r->status = WGM_FETCH_ERROR;
		if (!r->detail[0])
			snprintf(r->detail, sizeof(r->detail), "TXT %s: %s", qname, strerror(-q->ret));
		return;
	}
	r->status = WGM_FETCH_OK;
}

static int begin(const char *name, struct wgm_fetch_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = WGM_FETCH_ERROR;
	if (wgm_dns_name_check(name, strlen(name))) {
		snprintf(r->detail, sizeof(r->detail),
			 "bad DNS name \"%.180s\": give letters, digits, '-', '_' and dots", name);
		return -EINVAL;
	}
	return 0;
}

int wgm_resolver_txt(struct wgm_resolver *res, const char *name, unsigned budget_ms,
		     struct wgm_fetch_result *r)
{
	struct query_state q = { .name = name, .r = r };
	int ret = begin(name, r);

	if (ret)
		return ret;
	ares_query(res->channel, name, 1 /* C_IN */, 16 /* T_TXT */, txt_callback, &q);
	ret = run_until_done(res, &q, budget_ms);
	if (ret && r->status == WGM_FETCH_OK) {
		wgm_strv_free(&r->txt);
		r->status = WGM_FETCH_ERROR;
	}
	return ret;
}

static void addrinfo_callback(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct query_state *q = arg;
	struct wgm_fetch_result *r = q->r;
	const char *qname = q->name;

	(void)timeouts;
	q->done = true;
	if (status != ARES_SUCCESS) {
		q->ret = finish_status(r, status, qname);
		return;
	}
	for (struct ares_addrinfo_node *n = ai ? ai->nodes : NULL; n; n = n->ai_next) {
		char text[INET6_ADDRSTRLEN];
		const void *src;

		if (n->ai_family == AF_INET)
			src = &((const struct sockaddr_in *)(const void *)n->ai_addr)->sin_addr;
		else if (n->ai_family == AF_INET6)
			src = &((const struct sockaddr_in6 *)(const void *)n->ai_addr)->sin6_addr;
		else
			continue;
		if (r->txt.n >= WGM_FETCH_MAX_RRS)
			break;
		if (!inet_ntop(n->ai_family, src, text, sizeof(text)))
			continue;
		q->ret = wgm_strv_push(&r->txt, text);
		if (q->ret)
			break;
	}
	ares_freeaddrinfo(ai);
	if (q->ret) {
		wgm_strv_free(&r->txt);
		snprintf(r->detail, sizeof(r->detail), "%s: %s", qname, strerror(-q->ret));
		return;
	}
	r->status = r->txt.n ? WGM_FETCH_OK : WGM_FETCH_NODATA;
}

int wgm_resolver_addrs(struct wgm_resolver *res, const char *name, unsigned budget_ms,
		       struct wgm_fetch_result *r)
{
	struct ares_addrinfo_hints hints = { 0 };
	struct query_state q = { .name = name, .r = r };
	int ret = begin(name, r);

	if (ret)
		return ret;
	hints.ai_family = AF_UNSPEC;
	/* Sorting would connect() probe sockets; the manager tries every address anyway. */
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(res->channel, name, NULL, &hints, addrinfo_callback, &q);
	return run_until_done(res, &q, budget_ms);
}

/* The in-process transport: tests compare the child against it. */
int wgm_fetch_txt(const struct wgm_fetch_opts *o, const char *name, struct wgm_fetch_result *r)
{
	struct wgm_resolver *res = NULL;
	int ret;

	memset(r, 0, sizeof(*r));
	r->status = WGM_FETCH_ERROR;
	ret = wgm_resolver_new(o, &res, r->detail, sizeof(r->detail));
	if (ret)
		return ret;
	ret = wgm_resolver_txt(res, name, 0, r);
	wgm_resolver_free(res);
	return ret;
}

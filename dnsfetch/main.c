/* wgmesh-dnsfetch: the unprivileged DNS helper the manager spawns on a SOCK_SEQPACKET socket.
 * It sets up c-ares (reading resolv.conf), enters its sandbox, says READY, then answers one
 * request at a time with the raw TXT strings (or addresses) and nothing else. It reads no key
 * and no config. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/log.h"
#include "fetch.h"
#include "proto.h"
#include "resolve.h"
#include "sandbox.h"

struct dnsfetch_opts {
	int fd;
	const char *user;
	struct wgm_fetch_opts fetch;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: wgmesh-dnsfetch --fd N [--user USER] [--dns ADDR[:PORT]]... [--timeout-ms MS]\n"
		"                       [--tries N] [-v] [-q] [-d]\n"
		"Spawned by wgmesh-net: answers DNS TXT and address look-ups over the SOCK_SEQPACKET\n"
		"socket N as USER (default nobody) inside a seccomp sandbox.\n"
		"  --dns ADDR[:PORT]  DNS server (repeatable, up to %d; default: resolv.conf)\n"
		"  --timeout-ms MS    per-try timeout (default 2000)\n"
		"  --tries N          tries per server (default 3)\n"
		"  --state-dir DIR    accepted like every wgmesh program; dnsfetch reads no state\n",
		WGM_FETCH_MAX_SERVERS);
}

static int parse_uint(const char *opt, const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max) {
		log_err("bad %s \"%s\": give a number 0..%u", opt, s, max);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct dnsfetch_opts *o)
{
	static const struct option longopts[] = {
		{ "fd", required_argument, NULL, 'F' },
		{ "user", required_argument, NULL, 'u' },
		{ "dns", required_argument, NULL, 'n' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "tries", required_argument, NULL, 'r' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	unsigned v;
	int c;

	o->fd = -1;
	while ((c = getopt_long(argc, argv, "vqdh", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			if (parse_uint("--fd", optarg, 1u << 20, &v))
				return -EINVAL;
			o->fd = (int)v;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'n':
			if (wgm_fetch_opts_add_server(&o->fetch, optarg, err, sizeof(err))) {
				log_err("%s", err);
				return -EINVAL;
			}
			break;
		case 't':
			if (parse_uint("--timeout-ms", optarg, 600000, &o->fetch.timeout_ms))
				return -EINVAL;
			break;
		case 'r':
			if (parse_uint("--tries", optarg, 100, &o->fetch.tries))
				return -EINVAL;
			break;
		case 's':
			break;
		case 'v':
		case 'q':
		case 'd':
			wgm_log_verbosity(c);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		log_err("unexpected argument \"%s\"; see --help", argv[optind]);
		return -EINVAL;
	}
	if (o->fd < 0) {
		log_err("--fd is missing: wgmesh-dnsfetch is started by wgmesh-net, not by hand");
		return -EINVAL;
	}
	return 0;
}

static int check_channel(int fd)
{
	int type = 0;
	socklen_t len = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_SEQPACKET) {
		log_err("--fd %d is not a SOCK_SEQPACKET socket", fd);
		return -EBADF;
	}
	return 0;
}

static int send_frame(int fd, const struct wgm_buf *frame)
{
	if (send(fd, frame->p, frame->len, MSG_NOSIGNAL) != (ssize_t)frame->len)
		return -errno;
	return 0;
}

/* One request: every string as its own frame, then END with the count. */
static int answer(int fd, struct wgm_resolver *res, const struct wgm_frame *req,
		  struct wgm_buf *frame)
{
	struct wgm_fetch_result r = { 0 };
	struct wgm_request q;
	uint32_t sent = 0;
	int ret;

	wgm_frame_request(req, &q);
	if (req->type == WGM_FRAME_REQ_TXT)
		wgm_resolver_txt(res, q.name, q.budget_ms, &r);
	else
		wgm_resolver_addrs(res, q.name, q.budget_ms, &r);
	log_debug("%s %s: %s %s", req->type == WGM_FRAME_REQ_TXT ? "TXT" : "addresses", q.name,
		  wgm_fetch_status_str(r.status), r.detail);
	for (size_t i = 0; r.status == WGM_FETCH_OK && i < r.txt.n; i++) {
		ret = wgm_frame_encode(frame, WGM_FRAME_STRING, req->id, r.txt.v[i],
				       strlen(r.txt.v[i]));
		if (!ret)
			ret = send_frame(fd, frame);
		if (ret)
			goto out;
		sent++;
	}
	ret = wgm_frame_encode_end(frame, req->id, r.status, sent, r.detail);
	if (!ret)
		ret = send_frame(fd, frame);
out:
	wgm_fetch_result_free(&r);
	return ret;
}

static int serve(int fd, struct wgm_resolver *res)
{
	static uint8_t dgram[WGM_FRAME_MAX + 1];
	struct wgm_buf frame = { 0 };
	struct wgm_frame req;
	char err[256];
	int ret;

	ret = wgm_frame_encode(&frame, WGM_FRAME_READY, 0, NULL, 0);
	if (!ret)
		ret = send_frame(fd, &frame);
	while (!ret) {
		ssize_t n = recv(fd, dgram, sizeof(dgram), MSG_TRUNC);

		if (n == 0)
			break; /* the manager closed the channel: done */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			log_err("reading the channel: %s", strerror(errno));
			break;
		}
		ret = wgm_frame_parse(dgram, (size_t)n, &req, err, sizeof(err));
		if (!ret && req.type != WGM_FRAME_REQ_TXT && req.type != WGM_FRAME_REQ_ADDRS) {
			snprintf(err, sizeof(err), "frame type %u is not a request", (unsigned)req.type);
			ret = -EPROTO;
		}
		if (ret) {
			log_err("bad request from the manager: %s", err);
			break;
		}
		ret = answer(fd, res, &req, &frame);
		if (ret)
			log_err("answering the manager: %s", strerror(-ret));
	}
	wgm_buf_free(&frame);
	return ret;
}

int main(int argc, char **argv)
{
	struct dnsfetch_opts o = { 0 };
	struct wgm_resolver *res = NULL;
	char err[256];
	int ret;

	wgm_log_init("wgmesh-dnsfetch");
	ret = parse_args(argc, argv, &o);
	if (!ret)
		ret = check_channel(o.fd);
	if (!ret) {
		ret = wgm_resolver_new(&o.fetch, &res, err, sizeof(err));
		if (ret)
			log_err("%s", err);
	}
	if (!ret) {
		ret = wgm_sandbox_enter(o.user, err, sizeof(err));
		if (ret)
			log_err("sandbox: %s", err);
	}
	if (!ret)
		ret = serve(o.fd, res);
	wgm_resolver_free(res);
	/* _exit: nothing may run after main under the filter (atexit handlers of sanitizers
	 * would make system calls it forbids). */
	_exit(ret ? 1 : 0);
}

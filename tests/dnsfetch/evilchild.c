/* A hostile stand-in for wgmesh-dnsfetch (hostile_test.c passes it as helper_path). It starts
 * like the real one (READY on --fd), then misbehaves as the first label of each requested name
 * says: the parent must report every lie and survive it. Started under a name ending in
 * "-MODE" (a symlink), it behaves so for every request; "-noready" never says READY;
 * "-script" plays a script (below; tests/fuzz/fuzz_child.c writes them). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto.h"
#include "sandbox.h"

static int fd = -1;

static void send_raw(const void *p, size_t len)
{
	if (send(fd, p, len, MSG_NOSIGNAL) < 0)
		_exit(10);
}

static void send_frame(enum wgm_frame_type type, uint32_t id, const void *p, size_t len)
{
	struct wgm_buf b = { 0 };

	if (wgm_frame_encode(&b, type, id, p, len))
		_exit(11);
	send_raw(b.p, b.len);
	wgm_buf_free(&b);
}

static void send_end(uint32_t id, enum wgm_fetch_status st, uint32_t count)
{
	struct wgm_buf b = { 0 };

	if (wgm_frame_encode_end(&b, id, st, count, "evil"))
		_exit(12);
	send_raw(b.p, b.len);
	wgm_buf_free(&b);
}

/* A header by hand, for the frames wgm_frame_encode refuses to build. */
static size_t raw_header(uint8_t *out, uint16_t type, uint32_t id, uint32_t len)
{
	uint16_t zero = 0;

	memcpy(out, &type, 2);
	memcpy(out + 2, &zero, 2);
	memcpy(out + 4, &id, 4);
	memcpy(out + 8, &len, 4);
	return WGM_FRAME_HDR_LEN;
}

static void misbehave(const char *mode, uint32_t id)
{
	static uint8_t big[70000];
	uint8_t f[64];
	size_t n;
	char err[256];

	if (!strcmp(mode, "good")) {
		send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		send_end(id, WGM_FETCH_OK, 1);
	} else if (!strcmp(mode, "leftover")) {
		send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		send_end(id, WGM_FETCH_OK, 1);
		send_frame(WGM_FRAME_STRING, id, "0:stale", 7);
	} else if (!strcmp(mode, "wrongtype")) {
		n = raw_header(f, 99, id, 0);
		send_raw(f, n);
	} else if (!strcmp(mode, "requesttype")) {
		send_frame(WGM_FRAME_REQ_TXT, id, "example.com", 11);
	} else if (!strcmp(mode, "wronglen")) {
		n = raw_header(f, WGM_FRAME_END, id, 3);
		memset(f + n, 0, 3);
		send_raw(f, n + 3);
	} else if (!strcmp(mode, "lyinglen")) {
		n = raw_header(f, WGM_FRAME_STRING, id, 100);
		memcpy(f + n, "0:short", 7);
		send_raw(f, n + 7);
	} else if (!strcmp(mode, "short")) {
		n = raw_header(f, WGM_FRAME_STRING, id, 0);
		send_raw(f, 5);
	} else if (!strcmp(mode, "oversize")) {
		raw_header(big, WGM_FRAME_STRING, id, sizeof(big) - WGM_FRAME_HDR_LEN);
		memset(big + WGM_FRAME_HDR_LEN, 'A', sizeof(big) - WGM_FRAME_HDR_LEN);
		send_raw(big, sizeof(big));
	} else if (!strcmp(mode, "unknownid")) {
		send_frame(WGM_FRAME_STRING, id + 7, "0:ok", 4);
	} else if (!strcmp(mode, "countlie")) {
		send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		send_end(id, WGM_FETCH_OK, 2);
	} else if (!strcmp(mode, "okempty")) {
		send_end(id, WGM_FETCH_OK, 0);
	} else if (!strcmp(mode, "badstatus")) {
		uint32_t st = 42, count = 0;

		n = raw_header(f, WGM_FRAME_END, id, WGM_FRAME_END_MIN);
		memcpy(f + n, &st, 4);
		memcpy(f + n + 4, &count, 4);
		send_raw(f, n + WGM_FRAME_END_MIN);
	} else if (!strcmp(mode, "nul")) {
		n = raw_header(f, WGM_FRAME_STRING, id, 4);
		memcpy(f + n, "0:\0x", 4);
		send_raw(f, n + 4);
	} else if (!strcmp(mode, "flood")) {
		for (int i = 0; i <= WGM_FETCH_MAX_RRS; i++)
			send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		send_end(id, WGM_FETCH_OK, WGM_FETCH_MAX_RRS + 1);
	} else if (!strcmp(mode, "empty")) {
		send_raw("", 0);
		pause();
	} else if (!strcmp(mode, "diemid")) {
		send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		_exit(3);
	} else if (!strcmp(mode, "silent")) {
		pause();
	} else if (!strcmp(mode, "stall")) {
		/* Stops half way through an answer. */
		send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		pause();
	} else if (!strcmp(mode, "deaf")) {
		/* Answers every id to come, correctly, and never reads another request. */
		for (uint32_t next = id;; next++) {
			send_frame(WGM_FRAME_STRING, next, "0:ok", 4);
			send_end(next, WGM_FETCH_OK, 1);
		}
	} else if (!strcmp(mode, "babble")) {
		/* Endless well-formed strings for the request, never an END. */
		for (;;)
			send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
	} else if (!strcmp(mode, "stderr")) {
		/* Floods root's log: long lines with control bytes, then a good answer. */
		memset(big, 'E', sizeof(big));
		for (size_t i = 0; i < sizeof(big); i += 100)
			big[i] = i % 1000 ? '\033' : '\n';
		for (int i = 0; i < 16; i++)
			if (write(2, big, sizeof(big)) < 0)
				_exit(16);
		send_frame(WGM_FRAME_STRING, id, "0:ok", 4);
		send_end(id, WGM_FETCH_OK, 1);
	} else if (!strcmp(mode, "sigsys")) {
		/* The real cage, and a system call outside it. */
		if (wgm_sandbox_enter(NULL, err, sizeof(err))) {
			fprintf(stderr, "evilchild: %s\n", err);
			_exit(13);
		}
		socket(AF_NETLINK, SOCK_RAW, 0);
		_exit(14);
	} else {
		_exit(15);
	}
}

/* The "-script" mode: the file "script" next to argv[0] says, byte by byte, what to do.
 * Each step is an opcode (its value modulo 5) and its operands:
 *   0 RAW    len:u16le bytes          one datagram as is (len 0: an empty one)
 *   1 FRAME  type:u16le delta:i8 len:u16le payload
 *                                     a frame for the last request's id + delta
 *   2 READ                            take one request if one comes within 50 ms (after
 *                                     four that waited in vain, READ is a no-op)
 *   3 STDERR len:u8 bytes             write to stderr
 *   4 EXIT   how:u8                   exit with status how, or die of SIGKILL when how >= 128
 * At the end of the script it exits 0. Short operands end the script. */
static void run_script(const char *argv0)
{
	static uint8_t script[65536], dgram[WGM_FRAME_MAX + 1];
	char path[4096];
	const char *slash = strrchr(argv0, '/');
	uint32_t id = 0;
	unsigned waited = 0;
	size_t len = 0, i = 0;
	ssize_t n;
	FILE *in;

	snprintf(path, sizeof(path), "%.*sscript", slash ? (int)(slash - argv0 + 1) : 0, argv0);
	in = fopen(path, "rb");
	if (!in)
		_exit(20);
	len = fread(script, 1, sizeof(script), in);
	fclose(in);
#define NEED(k)             \
	if (len - i < (k))  \
		_exit(0)
	while (i < len) {
		uint8_t op = script[i++] % 5;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct wgm_frame req;
		char err[256];
		uint16_t u16, type;
		int8_t delta;

		switch (op) {
		case 0:
			NEED(2);
			memcpy(&u16, script + i, 2);
			i += 2;
			NEED(u16);
			send_raw(script + i, u16);
			i += u16;
			break;
		case 1:
			NEED(5);
			memcpy(&type, script + i, 2);
			memcpy(&delta, script + i + 2, 1);
			memcpy(&u16, script + i + 3, 2);
			i += 5;
			NEED(u16);
			raw_header(dgram, type, id + (uint32_t)(int32_t)delta, u16);
			memcpy(dgram + WGM_FRAME_HDR_LEN, script + i, u16);
			send_raw(dgram, WGM_FRAME_HDR_LEN + (size_t)u16);
			i += u16;
			break;
		case 2:
			if (waited >= 4)
				break;
			if (poll(&pfd, 1, 50) != 1) {
				waited++;
			} else {
				n = recv(fd, dgram, sizeof(dgram), 0);
				if (n <= 0)
					_exit(0);
				if (!wgm_frame_parse(dgram, (size_t)n, &req, err, sizeof(err)))
					id = req.id;
			}
			break;
		case 3:
			NEED(1);
			NEED(1u + script[i]);
			if (write(2, script + i + 1, script[i]) < 0)
				_exit(21);
			i += 1u + script[i];
			break;
		default:
			NEED(1);
			if (script[i] >= 128)
				raise(SIGKILL);
			_exit(script[i]);
		}
	}
#undef NEED
	_exit(0);
}

int main(int argc, char **argv)
{
	static uint8_t dgram[WGM_FRAME_MAX + 1];
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	const char *fixed = strrchr(base, '-');
	struct wgm_request q;
	struct wgm_frame req;
	char err[256];

	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--fd"))
			fd = atoi(argv[i + 1]);
	if (fd < 0)
		return 2;
	fixed = fixed ? fixed + 1 : NULL;
	if (fixed && !strcmp(fixed, "noready"))
		pause();
	if (fixed && !strcmp(fixed, "script"))
		run_script(argv[0]);
	send_frame(WGM_FRAME_READY, 0, NULL, 0);
	for (;;) {
		ssize_t n = recv(fd, dgram, sizeof(dgram), 0);

		if (n <= 0)
			return 0;
		if (wgm_frame_parse(dgram, (size_t)n, &req, err, sizeof(err)))
			return 3;
		wgm_frame_request(&req, &q);
		q.name[strcspn(q.name, ".")] = '\0';
		misbehave(fixed ? fixed : q.name, req.id);
	}
}

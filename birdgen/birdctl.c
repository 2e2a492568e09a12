#include "birdctl.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Reply codes of BIRD's CLI (doc/reply_codes in its source). */
enum {
	BIRD_HELLO = 1,
	BIRD_RECONFIGURED = 3,
	BIRD_RECONFIG_IN_PROGRESS = 4,
	BIRD_RECONFIG_QUEUED = 5,
	BIRD_RECONFIG_CONFIRMED = 18,
	BIRD_NOTHING_TO_DO = 19,
	BIRD_CONFIG_OK = 20,
	BIRD_FIRST_ERROR = 8000,
};

struct conn {
	int fd;
	char in[8192];
	size_t have;
	struct timespec deadline;
};

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

static int conn_open(struct conn *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	c->have = 0;
	clock_gettime(CLOCK_MONOTONIC, &c->deadline);
	c->deadline.tv_sec += BIRDCTL_TIMEOUT_MS / 1000;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "BIRD socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot connect to BIRD at %s: %s (is bird running?)", path,
			 strerror(e));
		if (c->fd >= 0)
			close(c->fd);
		c->fd = -1;
		return -e;
	}
	return 0;
}

/* One line without its '\n' into line; -EPROTO for a line longer than the buffer. */
static int conn_read_line(struct conn *c, char *line, size_t linelen)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->have);
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (nl) {
			size_t len = (size_t)(nl - c->in);

			if (len >= linelen)
				return -EPROTO;
			memcpy(line, c->in, len);
			line[len] = 0;
			c->have -= len + 1;
			memmove(c->in, nl + 1, c->have);
			return 0;
		}
		if (c->have == sizeof(c->in))
			return -EPROTO;
		r = poll(&pfd, 1, (int)ms_left(&c->deadline));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(c->fd, c->in + c->have, sizeof(c->in) - c->have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		c->have += (size_t)n;
	}
}

static int conn_send(struct conn *c, const char *cmd)
{
	size_t len = strlen(cmd), off = 0;
	char line[1024];

	if (len + 1 >= sizeof(line))
		return -E2BIG;
	memcpy(line, cmd, len);
	line[len++] = '\n';
	while (off < len) {
		ssize_t n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* Parses "DDDD-" / "DDDD " heads; returns the code or -1 for a continuation line (" ...") and
 * -2 for anything else. */
static int line_code(const char *line, bool *last)
{
	int code = 0, i;

	if (line[0] == ' ') {
		*last = false;
		return -1;
	}
	for (i = 0; i < 4; i++) {
		if (line[i] < '0' || line[i] > '9')
			return -2;
		code = code * 10 + (line[i] - '0');
	}
	if (line[4] != '-' && line[4] != ' ')
		return -2;
	*last = line[4] == ' ';
	return code;
}

static void append_text(char *dst, size_t dstlen, const char *text)
{
	size_t used = strlen(dst);

	if (!*text || used + 1 >= dstlen)
		return;
	snprintf(dst + used, dstlen - used, "%s%s", used ? "; " : "", text);
}

/* Runs one command; *final_code gets the code of the last line, text the reply's text lines
 * joined with "; " (codes stripped), reply (if not NULL) the raw lines. */
static int run(const char *sock, const char *cmd, struct wgm_buf *reply, int *final_code,
	       char *text, size_t textlen, char *err, size_t errlen)
{
	struct conn c;
	char line[8192];
	size_t total = 0;
	bool last = false;
	int code, ret;

	*final_code = -1;
	if (textlen)
		text[0] = 0;
	if (strchr(cmd, '\n') || strchr(cmd, '\r') || !*cmd) {
		snprintf(err, errlen, "bad BIRD command \"%s\": one non-empty line expected", cmd);
		return -EINVAL;
	}
	ret = conn_open(&c, sock, err, errlen);
	if (ret)
		return ret;
	ret = conn_read_line(&c, line, sizeof(line));
	if (ret)
		goto io_error;
	if (line_code(line, &last) != BIRD_HELLO || !last) {
		snprintf(err, errlen, "%s does not greet like BIRD: \"%.80s\"", sock, line);
		ret = -EPROTO;
		goto out;
	}
	ret = conn_send(&c, cmd);
	if (ret)
		goto io_error;
	do {
		ret = conn_read_line(&c, line, sizeof(line));
		if (ret)
			goto io_error;
		total += strlen(line) + 1;
		if (total > BIRDCTL_REPLY_MAX) {
			snprintf(err, errlen, "BIRD reply to \"%s\" exceeds %u bytes", cmd,
				 BIRDCTL_REPLY_MAX);
			ret = -EFBIG;
			goto out;
		}
		code = line_code(line, &last);
		if (code == -2) {
			snprintf(err, errlen, "unexpected line from BIRD: \"%.80s\"", line);
			ret = -EPROTO;
			goto out;
		}
		if (code >= 0)
			*final_code = code;
		else if (*final_code < 0) {
			snprintf(err, errlen, "BIRD reply starts with a continuation line");
			ret = -EPROTO;
			goto out;
		}
		append_text(text, textlen, line + (code >= 0 ? 5 : 1));
		if (reply && (ret = wgm_buf_appendf(reply, "%s\n", line))) {
			snprintf(err, errlen, "out of memory for BIRD's reply to \"%s\"", cmd);
			goto out;
		}
	} while (!last);
	goto out;
io_error:
	snprintf(err, errlen, "talking to BIRD at %s: %s", sock,
		 ret == -ECONNRESET ? "connection closed" : strerror(-ret));
out:
	close(c.fd);
	return ret;
}

int birdctl_command(const char *sock, const char *cmd, struct wgm_buf *reply, char *err,
		    size_t errlen)
{
	char text[1024];
	int code, ret;

	ret = run(sock, cmd, reply, &code, text, sizeof(text), err, errlen);
	if (ret)
		return ret;
	if (code >= BIRD_FIRST_ERROR) {
		snprintf(err, errlen, "BIRD refused \"%s\": %s", cmd, text);
		return -EREMOTEIO;
	}
	return 0;
}

int birdctl_probe(const char *sock, int (*probe)(int fd, void *ctx), void *ctx, char *err,
		  size_t errlen)
{
	struct conn c;
	char line[8192];
	bool last = false;
	int ret = conn_open(&c, sock, err, errlen);

	if (ret)
		return ret;
	ret = conn_read_line(&c, line, sizeof(line));
	if (ret)
		snprintf(err, errlen, "talking to BIRD at %s: %s", sock,
			 ret == -ECONNRESET ? "connection closed" : strerror(-ret));
	else if (line_code(line, &last) != BIRD_HELLO || !last) {
		snprintf(err, errlen, "%s does not greet like BIRD: \"%.80s\"", sock, line);
		ret = -EPROTO;
	} else {
		ret = probe(c.fd, ctx);
	}
	close(c.fd);
	return ret;
}

int birdctl_configure(const char *sock, char *msg, size_t msglen)
{
	int code, ret;
	char err[512];

	ret = run(sock, "configure", NULL, &code, msg, msglen, err, sizeof(err));
	if (ret) {
		snprintf(msg, msglen, "%s", err);
		return ret;
	}
	switch (code) {
	case BIRD_RECONFIGURED:
	case BIRD_RECONFIG_IN_PROGRESS:
	case BIRD_RECONFIG_QUEUED:
	case BIRD_RECONFIG_CONFIRMED:
	case BIRD_NOTHING_TO_DO:
	case BIRD_CONFIG_OK:
		return 0;
	default:
		/* 8xxx/9xxx errors, and 0006 "Reconfiguration ignored, shutting down". */
		return -EREMOTEIO;
	}
}

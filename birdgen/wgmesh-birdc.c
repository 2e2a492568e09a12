/* wgmesh-birdc [-r] SOCKET COMMAND...: one command to BIRD over its control socket, printing
 * the reply as birdc does (codes stripped) or, with -r, the raw lines with their codes. A
 * birdc for scripts and tests; exit 0 unless the socket failed or BIRD answered an error. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "birdctl.h"
#include "buf.h"

static int usage(FILE *f)
{
	fprintf(f, "usage: wgmesh-birdc [-r] SOCKET COMMAND...\n"
		   "  e.g. wgmesh-birdc /run/bird-private.sock show protocols\n");
	return f == stdout ? 0 : 1;
}

/* birdc's rendering: "DDDD-text" and "DDDD text" print as "text", " text" as "text", and
 * the empty "0000 " that closes a table prints nothing. */
static void print_text(const char *reply)
{
	const char *line = reply, *nl;

	for (; (nl = strchr(line, '\n')); line = nl + 1) {
		int len = (int)(nl - line);
		bool coded = len >= 5 && line[0] != ' ' && (line[4] == ' ' || line[4] == '-');

		if (coded && len == 5 && !strncmp(line, "0000", 4))
			continue;
		if (coded)
			printf("%.*s\n", len - 5, line + 5);
		else if (len >= 1 && line[0] == ' ')
			printf("%.*s\n", len - 1, line + 1);
		else
			printf("%.*s\n", len, line);
	}
}

int main(int argc, char **argv)
{
	struct wgm_buf cmd = { 0 }, reply = { 0 };
	char err[1024] = "";
	bool raw = false;
	int i, first, ret = 0;

	if (argc == 2 && !strcmp(argv[1], "--help"))
		return usage(stdout);
	if (argc > 1 && !strcmp(argv[1], "-r"))
		raw = true;
	first = raw ? 2 : 1;
	if (argc < first + 2)
		return usage(stderr);
	for (i = first + 1; i < argc && !ret; i++)
		ret = wgm_buf_appendf(&cmd, "%s%s", i > first + 1 ? " " : "", argv[i]);
	if (!ret)
		ret = birdctl_command(argv[first], (const char *)cmd.p, &reply, err, sizeof(err));
	if (reply.len && raw)
		fwrite(reply.p, 1, reply.len, stdout);
	else if (reply.len)
		print_text((const char *)reply.p);
	if (ret)
		fprintf(stderr, "wgmesh-birdc: %s\n", *err ? err : "out of memory");
	wgm_buf_free(&cmd);
	wgm_buf_free(&reply);
	return ret ? 1 : 0;
}

/* Test driver for the publishers: builds a change set from record files and publishes it.
 *   publish_tool rfc2136 SERVER KEYFILE ZONE [NAME=RECORDFILE | -NAME]...
 *   publish_tool route53 ENDPOINT ZONEID ZONE [NAME=RECORDFILE | -NAME]...
 *     (Route53 credentials from env R53_KEY_ID and R53_SECRET)
 * A record file holds one TXT string per line; "-NAME" asks for NAME's set to be deleted.
 * Prints the publisher's error line and exits 1 on failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "log.h"
#include "publish.h"

static int read_records(const char *path, struct wgm_strv *txt)
{
	char *data = NULL, *line, *save = NULL;
	size_t len = 0;
	int ret = wgm_read_file(path, 1 << 20, &data, &len);

	if (ret)
		return ret;
	for (line = strtok_r(data, "\n", &save); line && !ret; line = strtok_r(NULL, "\n", &save))
		ret = wgm_strv_push(txt, line);
	free(data);
	return ret;
}

static int add_args(struct wgm_changeset *cs, int argc, char **argv)
{
	int i, ret = 0;

	for (i = 0; i < argc && !ret; i++) {
		struct wgm_strv txt = { 0 };
		char *eq = strchr(argv[i], '=');

		if (argv[i][0] == '-') {
			ret = wgm_strv_push(&cs->deletes, argv[i] + 1);
			continue;
		}
		if (!eq)
			return -EINVAL;
		*eq = 0;
		ret = read_records(eq + 1, &txt);
		if (!ret)
			ret = wgm_changeset_add(cs, argv[i], "", &txt);
		wgm_strv_free(&txt);
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct wgm_changeset cs = { 0 };
	char err[1024] = "";
	int ret;

	wgm_log_init("publish_tool");
	wgm_log_threshold = WGM_LOG_DEBUG;
	if (argc >= 5 && !strcmp(argv[1], "rfc2136")) {
		snprintf(cs.zone, sizeof(cs.zone), "%s", argv[4]);
		ret = add_args(&cs, argc - 5, argv + 5);
		if (!ret)
			ret = wgm_publish_rfc2136(&cs, argv[2], argv[3], err, sizeof(err));
	} else if (argc >= 5 && !strcmp(argv[1], "route53")) {
		struct wgm_route53 r53 = { 0 };
		const char *id = getenv("R53_KEY_ID"), *secret = getenv("R53_SECRET");

		snprintf(r53.endpoint, sizeof(r53.endpoint), "%s", argv[2]);
		snprintf(r53.zone_id, sizeof(r53.zone_id), "%s", argv[3]);
		snprintf(r53.access_key_id, sizeof(r53.access_key_id), "%s", id ? id : "");
		snprintf(r53.secret_access_key, sizeof(r53.secret_access_key), "%s", secret ? secret : "");
		snprintf(cs.zone, sizeof(cs.zone), "%s", argv[4]);
		ret = add_args(&cs, argc - 5, argv + 5);
		if (!ret)
			ret = wgm_publish_route53(&cs, &r53, err, sizeof(err));
	} else {
		fprintf(stderr, "usage: publish_tool rfc2136 SERVER KEYFILE ZONE [NAME=FILE | -NAME]...\n"
				"       publish_tool route53 ENDPOINT ZONEID ZONE [NAME=FILE | -NAME]...\n");
		return 2;
	}
	wgm_changeset_free(&cs);
	if (ret) {
		fprintf(stderr, "publish_tool: error: %s\n", err[0] ? err : strerror(-ret));
		return 1;
	}
	return 0;
}

/* Test helper for the shell tests:
 *   birdgen-tool write PLAN BIRD_DIR [NETNS]  birdgen_write of a test plan (testplan.h),
 *                                            prints "changed" or "unchanged"
 *   birdgen-tool configure SOCKET            birdctl_configure, prints BIRD's message */
#include <stdio.h>
#include <string.h>

#include "birdconf.h"
#include "birdctl.h"
#include "testplan.h"

int main(int argc, char **argv)
{
	struct wgm_node_plan plan;
	char err[1024] = "";
	bool changed;
	int ret;

	if (argc >= 4 && argc <= 5 && !strcmp(argv[1], "write")) {
		if (testplan_fill(argv[2], &plan)) {
			fprintf(stderr, "birdgen-tool: unknown plan \"%s\"\n", argv[2]);
			return 2;
		}
		if (argc == 5)
			snprintf(plan.netns, sizeof(plan.netns), "%s", argv[4]);
		ret = birdgen_write(&plan, argv[3], &changed, err, sizeof(err));
		if (ret) {
			fprintf(stderr, "birdgen-tool: %s\n", err);
			return 1;
		}
		puts(changed ? "changed" : "unchanged");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "configure")) {
		ret = birdctl_configure(argv[2], err, sizeof(err));
		printf("%s\n", err);
		return ret ? 1 : 0;
	}
	fprintf(stderr, "usage: birdgen-tool write PLAN BIRD_DIR [NETNS] | configure SOCKET\n");
	return 2;
}

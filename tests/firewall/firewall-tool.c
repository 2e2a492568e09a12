/* Test helper: firewall-tool shorewall|nft PLAN DIR writes the rules of a test plan
 * (tests/birdgen/testplan.h) with firewall_write_*, printing "changed" or "unchanged". */
#include <stdio.h>
#include <string.h>

#include "nft.h"
#include "shorewall.h"
#include "testplan.h"

int main(int argc, char **argv)
{
	struct wgm_node_plan plan;
	char err[1024] = "";
	bool changed;
	int ret;

	if (argc != 4 || (strcmp(argv[1], "shorewall") && strcmp(argv[1], "nft"))) {
		fprintf(stderr, "usage: firewall-tool shorewall|nft PLAN DIR\n");
		return 2;
	}
	if (testplan_fill(argv[2], &plan)) {
		fprintf(stderr, "firewall-tool: unknown plan \"%s\"\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "shorewall"))
		ret = firewall_write_shorewall(&plan, argv[3], &changed, err, sizeof(err));
	else
		ret = firewall_write_nft(&plan, argv[3], &changed, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "firewall-tool: %s\n", err);
		return 1;
	}
	puts(changed ? "changed" : "unchanged");
	return 0;
}

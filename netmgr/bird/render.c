#include "render.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "birdconf.h"
#include "birdctl.h"
#include "birdlife.h"
#include "log.h"
#include "netns.h"
#include "nft.h"
#include "shorewall.h"

/* BIRD runs only when its unit started it; no socket means nothing to tell. */
static void reconfigure_bird(const char *netns)
{
	char sock[256], msg[512];
	struct stat st;
	int ret;

	if (birdgen_socket_path(NULL, netns, sock, sizeof(sock)) < 0 ||
	    stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return;
	ret = birdctl_configure(sock, msg, sizeof(msg));
	if (ret < 0)
		log_warn("BIRD (%s) did not take the new configuration: %s", sock,
			 ret == -EREMOTEIO ? msg : strerror(-ret));
	else
		log_info("BIRD (%s) reconfigured", sock);
}

int render_configs(const struct netmgr_opts *o, const struct wgm_node_plan *plan, char *err,
		   size_t errlen)
{
	bool changed = false, told_down = false;
	int ret, nsfd;

	ret = birdgen_write(plan, o->bird_dir, &changed, err, errlen);
	if (ret < 0)
		return ret;
	/* Every round, not only on a change: the namespace may have been made anew under an
	 * unchanged configuration. A BIRD told to go reads the file afresh when it restarts. */
	nsfd = netns_open(plan->netns);
	if (nsfd >= 0) {
		told_down = bird_follow_namespace(plan->netns, nsfd, false);
		close(nsfd);
	}
	if (changed && !told_down)
		reconfigure_bird(plan->netns);
	switch (plan->firewall) {
	case WGM_FW_SHOREWALL:
		return firewall_write_shorewall(plan, o->shorewall_dir, &changed, err, errlen);
	case WGM_FW_NFTABLES:
		return firewall_write_nft(plan, o->nft_dir, &changed, err, errlen);
	case WGM_FW_NONE:
		break;
	}
	return 0;
}

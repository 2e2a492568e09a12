#include "status.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonout.h"
#include "esc.h"
#include "log.h"
#include "names.h"
#include "wgdev.h"
#include "view.h"

static void show_device(const struct mesh_view *v, const struct actual_link *l, bool json,
			bool first)
{
	struct wgdev_config cfg = { 0 };
	int ret = wgdev_get(wgdev_backend_of_kind(l->kind), v->priv_fd, l->name, &cfg, NULL);
	const struct wgdev_peer *p = cfg.n_peers ? &cfg.peers[0] : NULL;
	char key[WGM_KEY_B64_LEN + 1] = "", ep[80] = "(none)";
	long long age = -1;

	if (p) {
		wgm_key_to_b64(&p->public_key, key);
		if (p->has_endpoint)
			sockaddr_format(&p->endpoint, ep, sizeof(ep));
		if (p->last_handshake.tv_sec)
			age = (long long)(time(NULL) - p->last_handshake.tv_sec);
	}
	if (json) {
		printf("%s\n    {\"interface\": ", first ? "" : ",");
		json_string(stdout, l->name);
		printf(", \"up\": %s, \"readable\": %s, \"listen_port\": %u, \"peer\": ",
		       (l->flags & IFF_UP) ? "true" : "false", ret == 0 ? "true" : "false", cfg.listen_port);
		json_string(stdout, key);
		printf(", \"endpoint\": ");
		json_string(stdout, ep);
		printf(", \"handshake_age\": %lld, \"rx_bytes\": %" PRIu64 ", \"tx_bytes\": %" PRIu64 "}",
		       age, p ? p->rx_bytes : 0, p ? p->tx_bytes : 0);
	} else if (ret < 0) {
		wgm_printf_esc(stdout, "%-8s %s  cannot read the device: %s\n", l->name, (l->flags & IFF_UP) ? "up" : "down",
		       strerror(-ret));
	} else {
		char hs[32] = "never";
		if (age >= 0)
			snprintf(hs, sizeof(hs), "%llds ago", age);
		wgm_printf_esc(stdout, "%-8s %-4s port %-5u peer %s endpoint %s handshake %s rx %" PRIu64 " tx %" PRIu64 "\n",
		       l->name, (l->flags & IFF_UP) ? "up" : "down", cfg.listen_port, key, ep, hs,
		       p ? p->rx_bytes : 0, p ? p->tx_bytes : 0);
	}
	if (ret == 0)
		wgdev_config_free(&cfg);
}

int status_show(const struct wgm_node_names *n, bool drained, bool json)
{
	struct mesh_view v;
	char err[256];
	bool first = true;
	int ret = mesh_view_open(n->netns, &v, err, sizeof(err));

	if (ret < 0) {
		log_err("%s", err);
		goto out;
	}
	if (json) {
		printf("{\"namespace\": ");
		json_string(stdout, n->netns);
		printf(", \"exists\": %s, \"drained\": %s, \"devices\": [",
		       v.priv_fd >= 0 ? "true" : "false", drained ? "true" : "false");
	} else {
		wgm_printf_esc(stdout, "namespace %s: %s%s\n", n->netns, v.priv_fd >= 0 ? "present" : "absent (mesh down)",
			       drained ? ", drained (peers route around this node until wgmesh-net undrain)" : "");
	}
	for (size_t i = 0; i < v.a_priv.n_links; i++)
		if (wgm_is_mesh_wg_name(v.a_priv.links[i].name)) {
			show_device(&v, &v.a_priv.links[i], json, first);
			first = false;
		}
	if (json)
		printf("\n  ]}\n");
out:
	mesh_view_close(&v);
	return ret;
}

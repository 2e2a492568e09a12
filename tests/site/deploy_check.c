/* Test helper: opens a deploy record file (one TXT string a line) with a host key, builds the
 * node plan against a host state and prints it in a canonical text form, one line per fact, so
 * shell tests can compare our records with wgmesh 1.0's and with what they expect.
 * Usage: deploy_check RECORD HOST_PRIVATE_KEY SITE_PUBLIC_KEY_B64 HOST_STATE */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "atomicfile.h"
#include "hoststate.h"
#include "plan.h"
#include "records.h"
#include "txtchunk.h"

static void print_endpoint(const struct wgm_endpoint *e)
{
	if (e->is_ip && e->ip.family == AF_INET6)
		printf(" [%s]:%u", e->host, e->port);
	else
		printf(" %s:%u", e->host, e->port);
}

int main(int argc, char **argv)
{
	struct wgm_strv txt = { 0 };
	struct wgm_buf payload = { 0 };
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct wgm_host_state hs = { 0 };
	struct wgm_key host_sk = { 0 }, site_pk;
	char *data = NULL, err[512] = "", a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	char pk[WGM_KEY_B64_LEN + 1];
	size_t len;
	int ret = 1;

	if (argc != 5 || !rec || !plan || sodium_init() < 0) {
		fprintf(stderr, "usage: deploy_check RECORD HOSTKEY SITEPUB HOSTSTATE\n");
		goto out;
	}
	if (wgm_read_file(argv[1], WGM_RECORD_MAX * 2, &data, &len)) {
		fprintf(stderr, "cannot read %s\n", argv[1]);
		goto out;
	}
	for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n"))
		if (wgm_strv_push(&txt, line))
			goto out;
	/* The fixture's key files are 0444, so they are not loaded as secrets here. */
	if (wgm_key_load(&host_sk, argv[2], false) || wgm_key_from_b64(&site_pk, argv[3])) {
		fprintf(stderr, "bad key %s or %s\n", argv[2], argv[3]);
		goto out;
	}
	if (wgm_txt_decode((const char *const *)txt.v, txt.n, &payload, err, sizeof(err)) ||
	    wgm_deploy_open(payload.p, payload.len, &host_sk, &site_pk, rec, err, sizeof(err)) ||
	    wgm_host_state_load(argv[4], &hs, err, sizeof(err)) ||
	    wgm_plan_build(rec, &hs, &host_sk, plan, err, sizeof(err))) {
		fprintf(stderr, "deploy_check: %s\n", err);
		goto out;
	}
	inet_ntop(AF_INET, &plan->router_id, a, sizeof(a));
	printf("site %s octet %u asn %u portbase %u router %s\n", plan->site, plan->octet, plan->asn,
	       plan->portbase, a);
	if (rec->has_serial)
		printf("serial %llu\n", (unsigned long long)rec->serial);
	else
		printf("serial none\n");
	for (size_t i = 0; i < plan->n_peers; i++) {
		const struct wgm_peer_plan *p = &plan->peers[i];

		wgm_key_to_b64(&p->public_key, pk);
		inet_ntop(AF_INET6, &p->local_addr, a, sizeof(a));
		inet_ntop(AF_INET6, &p->peer_addr, b, sizeof(b));
		printf("peer %s if %s octet %u asn %u key %s listen %u remoteport %u local %s peer %s "
		       "endpoints", p->hostname, p->ifname, p->octet, p->asn, pk, p->listen_port,
		       p->remote_port, a, b);
		for (size_t j = 0; j < p->n_endpoints; j++)
			print_endpoint(&p->endpoints[j]);
		printf("\n");
	}
	ret = 0;
out:
	wgm_key_wipe(&host_sk);
	if (plan)
		wgm_plan_wipe(plan);
	free(plan);
	free(rec);
	free(data);
	wgm_buf_free(&payload);
	wgm_strv_free(&txt);
	wgm_host_state_free(&hs);
	return ret;
}

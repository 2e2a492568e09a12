#include "deploy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired.h"
#include "hooks.h"
#include "log.h"
#include "plan.h"
#include "reconcile.h"
#include "record.h"
#include "render.h"
#include "serial.h"

/* Endpoint hostnames go through the unprivileged fetcher like every other DNS question. */
static int resolve_via_fetcher(void *ctx, const char *host, struct wgm_ip *out, size_t max,
			       size_t *n)
{
	struct wgm_fetcher *f = fetcher_get(ctx);
	struct wgm_fetch_result r = { 0 };
	int ret;

	*n = 0;
	if (!f)
		return -ENOEXEC;
	ret = wgm_fetcher_addrs(f, host, 2000, &r);
	if (ret == 0 && r.status == WGM_FETCH_OK)
		for (size_t i = 0; i < r.txt.n && *n < max; i++)
			if (wgm_ip_parse(r.txt.v[i], &out[*n]) == 0)
				(*n)++;
	if (ret == 0 && r.status != WGM_FETCH_OK)
		log_warn("endpoint %s: %s, skipped", host, wgm_fetch_status_str(r.status));
	wgm_fetch_result_free(&r);
	return ret;
}

int deploy_once(const struct netmgr_opts *o, struct host_ctx *h, const char *file,
		struct fetcher_slot *dns, struct endpoint_memory *ep, struct deploy_outcome *out)
{
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct desired_state *d = calloc(1, sizeof(*d));
	struct reconcile_result res;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!rec || !plan || !d)
		goto out;
	if (file) {
		ret = record_from_file(file, h, rec, out->err, sizeof(out->err));
	} else if (!fetcher_get(dns)) {
		out->record_unavailable = true;
		snprintf(out->err, sizeof(out->err), "no DNS fetcher: the mesh is left as it is");
		ret = dns->spawn_error;
	} else {
		ret = record_from_dns(dns->f, h, rec, &out->record_unavailable, out->err, sizeof(out->err));
	}
	if (ret < 0)
		goto out;
	ret = serial_check(o->state_dir, h->domain, rec->has_serial, rec->serial, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	ret = wgm_plan_build(rec, &h->hs, &h->host_sk, plan, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	ret = desired_build(plan, &h->hs, resolve_via_fetcher, dns, d,
			    out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	ret = reconcile_apply(d, wgdev_detect(), o->dry_run, ep, &res);
	out->changes = res.changes;
	if (ret < 0) {
		snprintf(out->err, sizeof(out->err), "%s", res.err);
		goto out;
	}
	if (o->dry_run)
		goto out;
	if (rec->has_serial && (ret = serial_store(o->state_dir, h->domain, rec->serial)) < 0) {
		snprintf(out->err, sizeof(out->err), "cannot store the serial in %s: %s", o->state_dir,
			 strerror(-ret));
		goto out;
	}
	ret = render_configs(o, plan, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	/* Hooks follow a change (a boot, a new peer), not every quiet round of the run loop. */
	if (res.changes)
		ret = hooks_run(o->hook_dir, "up", plan->netns, plan->octet);
	if (ret < 0)
		snprintf(out->err, sizeof(out->err), "a hook in %s failed (see above)", o->hook_dir);
out:
	if (d) {
		desired_wipe(d);
		free(d);
	}
	if (plan) {
		wgm_plan_wipe(plan);
		free(plan);
	}
	free(rec);
	return ret;
}

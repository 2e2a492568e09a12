#include "deploy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "desired.h"
#include "bfddamp.h"
#include "drain.h"
#include "hooks.h"
#include "legacy.h"
#include "linkwatch.h"
#include "log.h"
#include "plan.h"
#include "preflight.h"
#include "reconcile.h"
#include "record.h"
#include "render.h"
#include "serial.h"
#include "sitekey.h"

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

/* The links `run` slowed after repeated flaps keep their slower BFD in every apply, up and
 * run rounds alike, until they are quiet again (netmgr/bird/linkwatch.h). */
static int slow_flapping_links(const struct netmgr_opts *o, const char *domain,
			       struct wgm_node_plan *plan, char *err, size_t errlen)
{
	struct link_watch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Advisory: a file that does not parse costs the slow-down, never the apply. */
	ret = linkwatch_load(o->state_dir, domain, w, err, errlen);
	if (ret < 0) {
		log_warn("%s; every link keeps the node's BFD interval", err);
		err[0] = 0;
	}
	for (size_t i = 0; ret == 0 && i < plan->n_peers; i++) {
		const struct link_flaps *l = linkwatch_find(w, plan->peers[i].ifname);

		if (l && l->level)
			plan->peers[i].bfd_interval_ms = bfddamp_interval(plan->bfd_interval_ms, l->level);
	}
	free(w);
	return 0;
}

int deploy_once(const struct netmgr_opts *o, struct host_ctx *h, const char *file,
		struct fetcher_slot *dns, struct endpoint_memory *ep, struct deploy_outcome *out)
{
	struct wgm_deploy_record *rec = calloc(1, sizeof(*rec));
	struct wgm_node_plan *plan = calloc(1, sizeof(*plan));
	struct desired_state *d = calloc(1, sizeof(*d));
	struct reconcile_result res;
	struct reconcile *rc;
	/* the node as found: read once, for the checks, 1.0's leftovers and the reconciler */
	struct mesh_view v = MESH_VIEW_CLOSED;
	struct record_trust trust = { 0 };
	unsigned retired = 0;
	int ret = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (!rec || !plan || !d)
		goto out;
	ret = sitekey_load(o->state_dir, h->domain, &trust.st, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	if (file) {
		trust.site.from_file = true;
		ret = record_from_file(file, h, &trust, rec, out->err, sizeof(out->err));
	} else if (!fetcher_get(dns)) {
		out->record_unavailable = true;
		snprintf(out->err, sizeof(out->err), "no DNS fetcher: the mesh is left as it is");
		ret = dns->spawn_error;
	} else {
		ret = record_from_dns(dns->f, h, &trust, rec, &out->record_unavailable, out->err, sizeof(out->err));
	}
	if (ret < 0)
		goto out;
	ret = serial_check(o->state_dir, h->domain, rec->has_serial, rec->serial, rec->digest, out->err,
			   sizeof(out->err));
	if (ret < 0)
		goto out;
	/* A record file has no site record beside it: its handover is checked, never counted. */
	ret = sitekey_observe(o->state_dir, h, &trust.st, rec, &trust.site, trust.via_retired,
			      o->dry_run, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	ret = wgm_plan_build(rec, &h->hs, &h->host_sk, plan, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	plan->bfd_interval_ms = o->bfd_interval_ms ? o->bfd_interval_ms
						   : wgm_bfd_default_interval(plan->n_peers);
	out->bfd_interval_ms = plan->bfd_interval_ms;
	ret = slow_flapping_links(o, h->domain, plan, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	/* the operator's drain holds across up and run rounds until undrain */
	ret = drain_flag_read(o->state_dir, h->domain, &plan->drained);
	if (ret < 0) {
		snprintf(out->err, sizeof(out->err), "cannot read the drain flag in %s: %s",
			 o->state_dir, strerror(-ret));
		goto out;
	}
	desired_build(plan, resolve_via_fetcher, dns, d);
	/* An upgraded 1.0 node: refused, with the fix, while 1.0's namespace has another name;
	 * after the checks, 1.0's wg-quick devices make way for ours. */
	ret = legacy_refuse(h->domain, &d->names, out->err, sizeof(out->err));
	if (ret == 0)
		ret = mesh_view_open(plan->netns, &v, out->err, sizeof(out->err));
	if (ret == 0)
		ret = preflight_run(o, h, plan, &v, o->dry_run, out->err, sizeof(out->err));
	if (ret == 0)
		ret = legacy_converge(o, h->domain, d, &v, &retired, out->err, sizeof(out->err));
	if (ret < 0)
		goto out;
	ret = reconcile_apply(d, &v, wgdev_detect(), o->dry_run, ep, &res, &rc);
	out->changes = res.changes + retired;
	if (ret < 0) {
		snprintf(out->err, sizeof(out->err), "%s%s", res.err, retired && !o->dry_run ?
			 " (wgmesh 1.0's devices were already retired: fix this and run up again)" : "");
		goto out;
	}
	/* Until commit every kernel change can be undone: a failure here leaves the node as found. */
	if (!o->dry_run)
		ret = render_configs(o, plan, out->err, sizeof(out->err));
	if (ret == 0 && !o->dry_run && rec->has_serial &&
	    (ret = serial_store(o->state_dir, h->domain, rec->serial, rec->digest)) < 0)
		snprintf(out->err, sizeof(out->err), "cannot store the serial in %s: %s", o->state_dir,
			 strerror(-ret));
	if (ret < 0) {
		reconcile_abort(rc, out->err, sizeof(out->err));
		goto out;
	}
	ret = reconcile_commit(rc);
	out->changes = res.changes + retired;
	if (ret < 0)
		snprintf(out->err, sizeof(out->err), "%s", res.err);
	if (ret < 0 || o->dry_run)
		goto out;
	ret = hooks_up(o->hook_dir, plan->netns, plan->octet, res.changes > 0);
	if (ret < 0)
		snprintf(out->err, sizeof(out->err), "a hook in %s failed (see above)", o->hook_dir);
out:
	mesh_view_close(&v);
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

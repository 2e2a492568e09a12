/* wgmesh-net: dispatch only. Invoked as wgdeploy it is `wgmesh-net up`. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "birdlife.h"
#include "decimal.h"
#include "deploy.h"
#include "desired.h"
#include "hooks.h"
#include "legacy.h"
#include "log.h"
#include "netns.h"
#include "options.h"
#include "plan.h"
#include "reconcile.h"
#include "runloop.h"
#include "status.h"
#include "tester.h"
#include "verify.h"
#include "view.h"
#include "wgm_config.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: wgmesh-net [options] COMMAND ...\n"
		"  up DOMAIN             fetch this node's record and bring the mesh to it (= wgdeploy)\n"
		"  apply FILE [DOMAIN]   the same from a record file (<uuid>.<domain>.txt)\n"
		"  down DOMAIN           remove what up built, give the trust interface back\n"
		"  status DOMAIN         peers, endpoints, handshakes, bytes\n"
		"  verify DOMAIN         health checks; exit 0 healthy, 1 degraded, 2 broken\n"
		"  run DOMAIN            service loop: apply, refetch every --interval and on SIGHUP\n"
		"  tester up|down DOMAIN the tester namespace\n"
		"  retire-1.0 DOMAIN     after up on a wgmesh 1.0 node: remove what 1.0 left\n"
		"options: --state-dir DIR (/etc/wireguard)  --dns ADDR[:PORT] (repeatable)\n"
		"  --dnsfetch PATH  --dnsfetch-user USER (nobody)  --bird-dir DIR  --shorewall-dir DIR\n"
		"  --nft-dir DIR  --hook-dir DIR (/etc/wgmesh/hooks.d)  --dry-run  --json\n"
		"  --metrics FILE (verify: node_exporter textfile)\n"
		"  --interval SECS (300)  --endpoint-timeout SECS (180: run moves a peer that has not\n"
		"  answered there to its next endpoint)  --bfd-interval MS (50: BIRD's BFD transmit\n"
		"  interval; a link is down after 5 missed)  -v -q -d  --help  --version\n");
}

/* "<uuid>.<domain>.txt" names its domain. */
static int domain_from_file(const char *file, char *out, size_t outlen)
{
	char copy[4096], *base, *dot;
	size_t len;

	snprintf(copy, sizeof(copy), "%s", file);
	base = basename(copy);
	len = strlen(base);
	if (len < 5 || strcmp(base + len - 4, ".txt"))
		return -EINVAL;
	base[len - 4] = 0;
	dot = strchr(base, '.');
	if (!dot || dot - base != WGM_UUID_LEN || !dot[1])
		return -EINVAL;
	snprintf(out, outlen, "%s", dot + 1);
	return 0;
}

static void warn_leftover(void *ctx, const char *what, const char *how)
{
	(void)ctx;
	(void)what;
	log_warn("%s", how);
}

/* What wgmesh 1.0 still has on this node, after up (not in the run loop: once is enough).
 * deployed: the deploy went through. */
static void legacy_report(const struct netmgr_opts *o, const char *domain, struct host_ctx *h,
			  bool deployed)
{
	struct node_names n;
	struct mesh_view v = MESH_VIEW_CLOSED;
	char err[256];

	if (o->dry_run || node_names_from_host(&h->hs, &n, err, sizeof(err)) < 0)
		return;
	/* 1.0's leftovers are all in the private namespace: the underlay is not read */
	if (!netns_exists(n.netns) || mesh_view_open_private(n.netns, &v, err, sizeof(err)) == 0)
		legacy_scan(o, domain, &n, &v, deployed, warn_leftover, NULL);
	mesh_view_close(&v);
}

static int cmd_deploy(const struct netmgr_opts *o, const char *domain, const char *file)
{
	struct fetcher_slot dns = { .o = o };
	struct deploy_outcome out;
	struct host_ctx h = { 0 };
	struct rusage ru;
	char err[512];
	int ret = netmgr_check_fetcher(o, !file, err, sizeof(err));

	if (ret == 0)
		ret = host_ctx_load(o, domain, true, &h, err, sizeof(err));
	if (ret < 0) {
		log_err("%s", err);
		goto out;
	}
	ret = deploy_once(o, &h, file, &dns, NULL, &out);
	if (ret < 0)
		log_err("%s", out.err);
	else
		printf("%s%u change%s\n", o->dry_run ? "dry run: " : "", out.changes,
		       out.changes == 1 ? "" : "s");
	legacy_report(o, domain, &h, ret == 0 && !o->dry_run);
	/* the whole command so far, start-up included: what a no-op costs the node */
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		log_debug("netlink and UAPI: %lu requests, %lu writes; CPU %ld us (user+system), peak RSS %ld KiB",
			  wgdev_counts.requests, wgdev_counts.writes,
			  (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
				  (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec),
			  ru.ru_maxrss);
out:
	fetcher_slot_close(&dns);
	host_ctx_free(&h);
	return ret;
}

static int load_names(const struct netmgr_opts *o, const char *domain, struct node_names *n)
{
	struct host_ctx h;
	char err[512];
	int ret = host_ctx_load(o, domain, false, &h, err, sizeof(err));

	if (ret == 0)
		ret = node_names_from_host(&h.hs, n, err, sizeof(err));
	if (ret < 0)
		log_err("%s", err);
	host_ctx_free(&h);
	return ret;
}

static int cmd_down(const struct netmgr_opts *o, const char *domain)
{
	struct reconcile_result res;
	struct node_names n;
	struct mesh_view v;
	uint8_t octet = 0;
	unsigned tester = 0;
	char err[512];
	int ret = load_names(o, domain, &n);

	if (ret < 0)
		return ret;
	if (mesh_view_open(n.netns, &v, err, sizeof(err)) == 0 && v.priv_fd >= 0 &&
	    actual_veth_octet(&v.a_priv, n.veth_inner, &octet) == 0 && !o->dry_run)
		if (hooks_run(o->hook_dir, "down", n.netns, octet) < 0)
			log_warn("a hook in %s failed; going down anyway", o->hook_dir);
	mesh_view_close(&v);
	/* The tester namespace hangs off the private one: it goes first, with down. */
	if (netns_exists(TESTER_NETNS)) {
		if (o->dry_run)
			printf("would remove the tester namespace %s\n", TESTER_NETNS);
		else if (tester_down(&n, false, err, sizeof(err)) < 0)
			log_warn("%s; going down anyway", err);
		else
			log_info("removed the tester namespace %s", TESTER_NETNS);
		tester = 1;
	}
	ret = reconcile_down(&n, o->dry_run, &res);
	if (ret < 0) {
		log_err("%s", res.err);
		return ret;
	}
	if (!o->dry_run)
		hooks_forget(n.netns);
	res.changes += tester;
	/* Once the name is gone, so a supervisor restarting BIRD cannot join the old namespace. */
	bird_follow_namespace(n.netns, -1, o->dry_run);
	printf("%s%u change%s\n", o->dry_run ? "dry run: " : "", res.changes,
	       res.changes == 1 ? "" : "s");
	return ret;
}

static int cmd_run(const struct netmgr_opts *o, const char *domain)
{
	struct host_ctx h = { 0 };
	char err[512];
	int ret = netmgr_check_fetcher(o, true, err, sizeof(err));

	if (ret == 0)
		ret = host_ctx_load(o, domain, true, &h, err, sizeof(err));
	if (ret < 0)
		log_err("%s", err);
	else
		ret = run_loop(o, &h);
	host_ctx_free(&h);
	return ret;
}

static int cmd_tester(const struct netmgr_opts *o, const char *what, const char *domain)
{
	struct node_names n;
	char err[512];
	int ret = load_names(o, domain, &n);

	if (ret < 0)
		return ret;
	if (!strcmp(what, "up"))
		ret = tester_up(&n, o->dry_run, err, sizeof(err));
	else if (!strcmp(what, "down"))
		ret = tester_down(&n, o->dry_run, err, sizeof(err));
	else {
		snprintf(err, sizeof(err), "tester \"%s\": say tester up or tester down", what);
		ret = -EINVAL;
	}
	if (ret < 0)
		log_err("%s", err);
	return ret;
}

enum { OPT_STATE = 256, OPT_DNS, OPT_DNSFETCH, OPT_DNSFETCH_USER, OPT_BIRD, OPT_SHOREWALL,
       OPT_NFT, OPT_HOOK, OPT_DRY, OPT_JSON, OPT_METRICS, OPT_INTERVAL, OPT_ENDPOINT_TIMEOUT,
       OPT_BFD_INTERVAL, OPT_VERSION };

/* NAME ARG: a number in [min, max], else one line saying what to give; -EINVAL. */
static int number_option(const char *name, const char *arg, unsigned min, unsigned max,
			 const char *unit, const char *note, unsigned *out)
{
	unsigned long long v;

	if (!wgm_parse_u64(arg, min, max, &v)) {
		log_err("%s \"%s\": give %s between %u and %u%s", name, arg, unit, min, max, note);
		return -EINVAL;
	}
	*out = (unsigned)v;
	return 0;
}

static int parse_options(int argc, char **argv, struct netmgr_opts *o)
{
	static const struct option longopts[] = {
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "dns", required_argument, NULL, OPT_DNS },
		{ "dnsfetch", required_argument, NULL, OPT_DNSFETCH },
		{ "dnsfetch-user", required_argument, NULL, OPT_DNSFETCH_USER },
		{ "bird-dir", required_argument, NULL, OPT_BIRD },
		{ "shorewall-dir", required_argument, NULL, OPT_SHOREWALL },
		{ "nft-dir", required_argument, NULL, OPT_NFT },
		{ "hook-dir", required_argument, NULL, OPT_HOOK },
		{ "dry-run", no_argument, NULL, OPT_DRY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "metrics", required_argument, NULL, OPT_METRICS },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "endpoint-timeout", required_argument, NULL, OPT_ENDPOINT_TIMEOUT },
		{ "bfd-interval", required_argument, NULL, OPT_BFD_INTERVAL },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	char err[256], note[64];
	int c;

	while ((c = getopt_long(argc, argv, "vqdh", longopts, NULL)) != -1) {
		switch (c) {
		case 'v': wgm_log_threshold = WGM_LOG_INFO; break;
		case 'q': wgm_log_threshold = WGM_LOG_ERR; break;
		case 'd': wgm_log_threshold = WGM_LOG_DEBUG; break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION: printf("wgmesh-net %s\n", WGM_VERSION); exit(0);
		case OPT_STATE: o->state_dir = optarg; break;
		case OPT_DNS:
			if (wgm_fetch_opts_add_server(&o->fetch, optarg, err, sizeof(err)) < 0) {
				log_err("%s", err);
				return -EINVAL;
			}
			break;
		case OPT_DNSFETCH: o->dnsfetch_path = optarg; break;
		case OPT_DNSFETCH_USER: o->dnsfetch_user = optarg; break;
		case OPT_BIRD: o->bird_dir = optarg; break;
		case OPT_SHOREWALL: o->shorewall_dir = optarg; break;
		case OPT_NFT: o->nft_dir = optarg; break;
		case OPT_HOOK: o->hook_dir = optarg; break;
		case OPT_DRY: o->dry_run = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_METRICS: o->metrics_path = optarg; break;
		case OPT_INTERVAL:
			if (number_option("--interval", optarg, 10, 86400, "seconds", "", &o->interval))
				return -EINVAL;
			break;
		case OPT_ENDPOINT_TIMEOUT:
			/* WireGuard tries a handshake every 5 s: a shorter wait could not see an answer. */
			if (number_option("--endpoint-timeout", optarg, 6, 86400, "seconds", "",
					  &o->endpoint_timeout))
				return -EINVAL;
			break;
		case OPT_BFD_INTERVAL:
			snprintf(note, sizeof(note), " (a link is down after %u missed)", WGM_BFD_MULTIPLIER);
			if (number_option("--bfd-interval", optarg, WGM_BFD_INTERVAL_MS_MIN,
					  WGM_BFD_INTERVAL_MS_MAX, "milliseconds", note, &o->bfd_interval_ms))
				return -EINVAL;
			break;
		default: usage(stderr); return -EINVAL;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct netmgr_opts o;
	struct node_names n;
	char domain[WGM_HOSTNAME_MAX + 1];
	const char *cmd;
	char **args;
	int nargs, ret;
	bool as_wgdeploy = !strcmp(basename(argv[0]), "wgdeploy");

	wgm_log_init(as_wgdeploy ? "wgdeploy" : "wgmesh-net");
	/* Before any key is read: no core file, and no process without CAP_SYS_PTRACE (a
	 * root one included) may read our memory through ptrace or /proc/PID/mem. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		log_err("cannot clear the dumpable flag: %s", strerror(errno));
		return 1;
	}
	netmgr_opts_defaults(&o);
	if (parse_options(argc, argv, &o) < 0)
		return 1;
	args = argv + optind;
	nargs = argc - optind;
	if (as_wgdeploy) {
		cmd = "up";
	} else if (nargs < 1) {
		usage(stderr);
		return 1;
	} else {
		cmd = args[0];
		args++;
		nargs--;
	}

	if (!strcmp(cmd, "apply") && (nargs == 1 || nargs == 2)) {
		if (nargs == 2)
			snprintf(domain, sizeof(domain), "%s", args[1]);
		else if (domain_from_file(args[0], domain, sizeof(domain)) < 0) {
			log_err("cannot tell the domain from \"%s\" (not <uuid>.<domain>.txt): give it: apply FILE DOMAIN",
				args[0]);
			return 1;
		}
		return cmd_deploy(&o, domain, args[0]) < 0 ? 1 : 0;
	}
	if (!strcmp(cmd, "tester") && nargs == 2)
		return cmd_tester(&o, args[0], args[1]) < 0 ? 1 : 0;
	if (nargs != 1) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(cmd, "up"))
		return cmd_deploy(&o, args[0], NULL) < 0 ? 1 : 0;
	if (!strcmp(cmd, "down"))
		return cmd_down(&o, args[0]) < 0 ? 1 : 0;
	if (!strcmp(cmd, "run"))
		return cmd_run(&o, args[0]) < 0 ? 1 : 0;
	if (!strcmp(cmd, "retire-1.0")) {
		if (load_names(&o, args[0], &n) < 0)
			return 1;
		return legacy_retire(&o, args[0], &n) < 0 ? 1 : 0;
	}
	if (!strcmp(cmd, "status") || !strcmp(cmd, "verify")) {
		ret = load_names(&o, args[0], &n);
		if (ret < 0)
			return !strcmp(cmd, "verify") ? 2 : 1;
		if (!strcmp(cmd, "verify"))
			return verify_run(&n, &o, args[0]);
		return status_show(&n, o.json) < 0 ? 1 : 0;
	}
	log_err("unknown command \"%s\": see wgmesh-net --help", cmd);
	return 1;
}

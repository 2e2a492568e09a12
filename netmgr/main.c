/* wgmesh-net: the command table and dispatch, as wireguard-tools' wg does it. Invoked as wgdeploy
 * it is `wgmesh-net up`. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "birdctl.h"
#include "birdlife.h"
#include "decimal.h"
#include "deploy.h"
#include "desired.h"
#include "drain.h"
#include "hooks.h"
#include "legacy.h"
#include "log.h"
#include "netns.h"
#include "nl.h"
#include "options.h"
#include "plan.h"
#include "reconcile.h"
#include "runloop.h"
#include "safename.h"
#include "status.h"
#include "tester.h"
#include "verify.h"
#include "view.h"
#include "wgm_config.h"

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
	struct wgm_node_names n;
	struct mesh_view v = MESH_VIEW_CLOSED;
	char err[256];

	if (o->dry_run || wgm_node_names_build(&h->hs, &n, err, sizeof(err)) < 0)
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
			  nl_counts.requests, nl_counts.writes,
			  (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
				  (long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec),
			  ru.ru_maxrss);
out:
	fetcher_slot_close(&dns);
	host_ctx_free(&h);
	return ret;
}

static int load_names(const struct netmgr_opts *o, const char *domain, struct wgm_node_names *n)
{
	struct host_ctx h;
	char err[512];
	int ret = host_ctx_load(o, domain, false, &h, err, sizeof(err));

	if (ret == 0)
		ret = wgm_node_names_build(&h.hs, n, err, sizeof(err));
	if (ret < 0)
		log_err("%s", err);
	host_ctx_free(&h);
	return ret;
}

static void print_moved(int ret, const struct drain_progress *p, unsigned wait_s)
{
	if (ret == 0)
		printf("traffic moved: %u peer%s route%s around this node (%ld ms)\n", p->peers,
		       p->peers == 1 ? "" : "s", p->peers == 1 ? "s" : "", p->elapsed_ms);
	else if (ret == -ETIMEDOUT)
		log_warn("traffic has not moved after %u s: %s (%u net%s in all; no other path?)",
			 wait_s, p->example, p->pending, p->pending == 1 ? "" : "s");
}

/* Before down tears the links down: drain (unless --no-drain) for at most --wait seconds, then
 * end the BGP sessions with a Cease while the links still carry it. A node without a BIRD
 * has nothing to move. */
static void leave_mesh(const struct netmgr_opts *o, const struct wgm_node_names *n, bool drain)
{
	struct drain_progress p;
	enum birdgen_drain now;
	bool bird = false;
	char err[512];
	int ret = 0;

	if (drain) {
		if (birdgen_read_drain(o->bird_dir, n->netns, &now) < 0 || now == BIRDGEN_UNDRAINED)
			ret = drain_set(o->bird_dir, n->netns, BIRDGEN_DRAINED_STOP, &bird, err,
					sizeof(err));
		else
			bird = true;
		if (ret < 0)
			log_warn("%s; going down without a drain", err);
		else if (bird && (ret = drain_wait(n->netns, o->drain_wait * 1000, &p, err,
						   sizeof(err))) != -ETIMEDOUT && ret < 0)
			log_warn("cannot tell whether traffic moved: %s; going down anyway", err);
		else if (bird)
			print_moved(ret, &p, o->drain_wait);
	}
	if (drain_cease(n->netns, 2000, err, sizeof(err)) < 0)
		log_warn("ending the BGP sessions: %s; going down anyway", err);
}

/* After down: the drain file says the operator's state again, for the next BIRD (and for this
 * one when down failed and the mesh stays). */
static void drain_restore(const struct netmgr_opts *o, const char *domain,
			  const struct wgm_node_names *n)
{
	bool drained = false, bird;
	char err[512];

	if (drain_flag_read(o->state_dir, domain, &drained) < 0 ||
	    drain_set(o->bird_dir, n->netns, drained ? BIRDGEN_DRAINED : BIRDGEN_UNDRAINED, &bird,
		      err, sizeof(err)) < 0)
		log_debug("drain file of %s not restored", n->netns);
}

static int cmd_drain(const struct netmgr_opts *o, const char *domain, bool drain)
{
	struct wgm_node_names n;
	struct drain_progress p;
	bool bird = false, was = false;
	char err[512];
	int ret = load_names(o, domain, &n);

	if (ret < 0)
		return ret;
	if (drain_flag_read(o->state_dir, domain, &was) < 0)
		was = false;
	if (o->dry_run) {
		printf("would %s %s\n", drain ? "drain" : "undrain", domain);
		return 0;
	}
	ret = drain_flag_write(o->state_dir, domain, drain, err, sizeof(err));
	if (ret == 0)
		ret = drain_set(o->bird_dir, n.netns, drain ? BIRDGEN_DRAINED : BIRDGEN_UNDRAINED,
				&bird, err, sizeof(err));
	if (ret < 0) {
		log_err("%s", err);
		/* the flag and what BIRD has must agree: back to how it was */
		if (was != drain)
			drain_flag_write(o->state_dir, domain, was, err, sizeof(err));
		return ret;
	}
	if (!drain) {
		printf("%s: undrained%s\n", domain, bird ? ": peers take routes through this node again"
						       : " (BIRD not running: it starts undrained)");
		return 0;
	}
	printf("%s: drained%s; it stays drained until wgmesh-net undrain %s\n", domain,
	       was ? " already" : "", domain);
	if (!bird) {
		printf("BIRD not running: no traffic to move (it starts drained)\n");
		return 0;
	}
	ret = drain_wait(n.netns, o->drain_wait * 1000, &p, err, sizeof(err));
	if (ret < 0 && ret != -ETIMEDOUT)
		log_err("cannot tell whether traffic moved: %s", err);
	print_moved(ret, &p, o->drain_wait);
	return ret;
}

static int probe_none(int fd, void *ctx)
{
	(void)fd;
	(void)ctx;
	return 0;
}

static bool bird_answers(const char *netns)
{
	char sock[256], err[256];

	return birdgen_socket_path(NULL, netns, sock, sizeof(sock)) == 0 &&
	       birdctl_probe(sock, probe_none, NULL, err, sizeof(err)) == 0;
}

/* wgmesh-bird@NETNS's ExecStop and ExecStopPost: a BIRD that stops (a reboot, a shutdown,
 * systemctl stop or restart) drains first, for at most --wait seconds; after it, the drain file
 * says the operator's state again. */
static int cmd_bird_stop(const struct netmgr_opts *o, const char *netns, bool stopping)
{
	enum birdgen_drain now = BIRDGEN_UNDRAINED;
	struct drain_progress p;
	bool bird = false, changed;
	char err[512];
	int ret;

	if (!wgm_safe_name(netns)) {
		log_err("namespace \"%s\": give the name of a wgmesh namespace (wgmesh-bird@NAME)", netns);
		return -EINVAL;
	}
	ret = birdgen_read_drain(o->bird_dir, netns, &now);
	if (ret < 0 && ret != -ENOENT) {
		log_warn("cannot read the drain state of %s: %s", netns, strerror(-ret));
		now = BIRDGEN_UNDRAINED;
	}
	if (!stopping) {
		if (now == BIRDGEN_DRAINED_STOP &&
		    birdgen_write_drain(o->bird_dir, netns, BIRDGEN_UNDRAINED, &changed, err,
					sizeof(err)) < 0)
			log_warn("%s", err);
		return 0;
	}
	/* A BIRD that is gone already (it exited by itself, or down told it to) has nothing to
	 * move, and down keeps the drain file itself. */
	if (!bird_answers(netns))
		return 0;
	ret = now == BIRDGEN_UNDRAINED ? drain_set(o->bird_dir, netns, BIRDGEN_DRAINED_STOP, &bird,
						   err, sizeof(err))
				       : 0;
	if (ret < 0) {
		log_warn("%s; BIRD stops without a drain", err);
		return 0;
	}
	ret = drain_wait(netns, o->drain_wait * 1000, &p, err, sizeof(err));
	if (ret == 0 || ret == -ETIMEDOUT)
		print_moved(ret, &p, o->drain_wait);
	return 0;
}

static int cmd_down(const struct netmgr_opts *o, const char *domain)
{
	struct reconcile_result res;
	struct wgm_node_names n;
	struct mesh_view v;
	uint8_t octet = 0;
	unsigned tester = 0;
	char err[512];
	int ret = load_names(o, domain, &n);

	if (ret < 0)
		return ret;
	if (!o->dry_run)
		leave_mesh(o, &n, !o->no_drain);
	if (mesh_view_open(n.netns, &v, err, sizeof(err)) == 0 && v.priv_fd >= 0 &&
	    actual_veth_octet(&v.a_priv, n.veth_inner, &octet) == 0 && !o->dry_run)
		if (hooks_run(o->hook_dir, "down", n.netns, octet) < 0)
			log_warn("a hook in %s failed; going down anyway", o->hook_dir);
	mesh_view_close(&v);
	/* The tester namespace hangs off the private one: it goes first, with down. */
	if (netns_exists(WGM_TESTER_NETNS)) {
		if (o->dry_run)
			printf("would remove the tester namespace %s\n", WGM_TESTER_NETNS);
		else if (tester_down(&n, false, err, sizeof(err)) < 0)
			log_warn("%s; going down anyway", err);
		else
			log_info("removed the tester namespace %s", WGM_TESTER_NETNS);
		tester = 1;
	}
	ret = reconcile_down(&n, o->dry_run, &res);
	if (ret < 0) {
		log_err("%s", res.err);
		/* the mesh stays as it was: so do its BGP sessions and its drain state */
		if (!o->dry_run && drain_uncease(n.netns, err, sizeof(err)) < 0)
			log_warn("BGP sessions left disabled: %s (systemctl restart wgmesh-bird@%s)",
				 err, n.netns);
		if (!o->dry_run)
			drain_restore(o, domain, &n);
		return ret;
	}
	if (!o->dry_run)
		hooks_forget(n.netns);
	res.changes += tester;
	/* Once the name is gone, so a supervisor restarting BIRD cannot join the old namespace. */
	bird_follow_namespace(n.netns, -1, o->dry_run);
	if (!o->dry_run)
		drain_restore(o, domain, &n);
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
	struct wgm_node_names n;
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

/* The options, in the order usage lists them. The node options say where this node keeps
 * things: every command takes them, so one set (WGMESH_NET_OPTS, a wrapper script) serves all
 * commands. The others belong to the commands whose table entry names them. */
enum option_id {
	OPT_STATE, OPT_DNS, OPT_DNSFETCH, OPT_DNSFETCH_USER, OPT_BIRD, OPT_SHOREWALL, OPT_NFT,
	OPT_HOOK, OPT_N_NODE, /* the node options end here */
	OPT_DRY = OPT_N_NODE, OPT_JSON, OPT_METRICS, OPT_INTERVAL, OPT_ENDPOINT_TIMEOUT,
	OPT_BFD_INTERVAL, OPT_NO_DRAIN, OPT_WAIT, OPT_COUNT
};

#define OPT_BIT(id) (1u << (id))
#define OPTS_NODE (OPT_BIT(OPT_N_NODE) - 1)

static const struct net_option {
	const char *name;
	const char *arg; /* NULL: takes no argument */
	const char *help;
} net_options[OPT_COUNT] = {
	[OPT_STATE] = { "state-dir", "DIR", "host state and keys (/etc/wireguard)" },
	[OPT_DNS] = { "dns", "ADDR[:PORT]", "DNS server to ask, repeatable (resolv.conf's)" },
	[OPT_DNSFETCH] = { "dnsfetch", "PATH", "DNS fetcher ($WGM_DNSFETCH, else the installed, else the one built beside)" },
	[OPT_DNSFETCH_USER] = { "dnsfetch-user", "USER", "its unprivileged user (nobody)" },
	[OPT_BIRD] = { "bird-dir", "DIR", "BIRD's configs (/etc/bird)" },
	[OPT_SHOREWALL] = { "shorewall-dir", "DIR", "Shorewall's files (/etc/shorewall)" },
	[OPT_NFT] = { "nft-dir", "DIR", "nftables rules (/etc/wgmesh)" },
	[OPT_HOOK] = { "hook-dir", "DIR", "hooks after up, before down (/etc/wgmesh/hooks.d)" },
	[OPT_DRY] = { "dry-run", NULL, "say what would change, change nothing" },
	[OPT_JSON] = { "json", NULL, "JSON output" },
	[OPT_METRICS] = { "metrics", "FILE", "also node_exporter's textfile format, to FILE" },
	[OPT_INTERVAL] = { "interval", "SECS", "refetch the record this often (300)" },
	[OPT_ENDPOINT_TIMEOUT] = { "endpoint-timeout", "SECS", "next endpoint after this long unanswered (180)" },
	[OPT_BFD_INTERVAL] = { "bfd-interval", "MS", "BFD transmit interval (10; slower past 25 peers); down after 5 missed" },
	[OPT_NO_DRAIN] = { "no-drain", NULL, "go down without draining first" },
	[OPT_WAIT] = { "wait", "SECS", "wait this long at most for traffic to move (10)" },
};

static int run_up(const struct netmgr_opts *o, char **args, int nargs);
static int run_apply(const struct netmgr_opts *o, char **args, int nargs);
static int run_down(const struct netmgr_opts *o, char **args, int nargs);
static int run_status(const struct netmgr_opts *o, char **args, int nargs);
static int run_verify(const struct netmgr_opts *o, char **args, int nargs);
static int run_run(const struct netmgr_opts *o, char **args, int nargs);
static int run_tester(const struct netmgr_opts *o, char **args, int nargs);
static int run_retire(const struct netmgr_opts *o, char **args, int nargs);
static int run_drain(const struct netmgr_opts *o, char **args, int nargs);
static int run_undrain(const struct netmgr_opts *o, char **args, int nargs);
static int run_bird_stop(const struct netmgr_opts *o, char **args, int nargs);
static int run_bird_stopped(const struct netmgr_opts *o, char **args, int nargs);

/* Every command: its name, its arguments, the options it takes beyond the node options, what
 * it does, and its handler (which returns the exit code). Usage text is made from this. */
static const struct net_command {
	const char *name;
	const char *args;
	int min_args, max_args;
	unsigned opts;
	const char *what;
	int (*run)(const struct netmgr_opts *o, char **args, int nargs);
} net_commands[] = {
	{ "up", "DOMAIN", 1, 1, OPT_BIT(OPT_DRY) | OPT_BIT(OPT_BFD_INTERVAL),
	  "fetch this node's record and bring the mesh to it (= wgdeploy)", run_up },
	{ "apply", "FILE [DOMAIN]", 1, 2, OPT_BIT(OPT_DRY) | OPT_BIT(OPT_BFD_INTERVAL),
	  "the same from a record file (<uuid>.<domain>.txt)", run_apply },
	{ "down", "DOMAIN", 1, 1, OPT_BIT(OPT_DRY) | OPT_BIT(OPT_NO_DRAIN) | OPT_BIT(OPT_WAIT),
	  "drain, then remove what up built, give the trust interface back", run_down },
	{ "drain", "DOMAIN", 1, 1, OPT_BIT(OPT_DRY) | OPT_BIT(OPT_WAIT),
	  "ask the peers to route around this node (until undrain), wait until they do", run_drain },
	{ "undrain", "DOMAIN", 1, 1, OPT_BIT(OPT_DRY), "take transit traffic again", run_undrain },
	{ "status", "DOMAIN", 1, 1, OPT_BIT(OPT_JSON), "peers, endpoints, handshakes, bytes",
	  run_status },
	{ "verify", "DOMAIN", 1, 1, OPT_BIT(OPT_JSON) | OPT_BIT(OPT_METRICS),
	  "health checks; exit 0 healthy, 1 degraded, 2 broken", run_verify },
	{ "run", "DOMAIN", 1, 1,
	  OPT_BIT(OPT_DRY) | OPT_BIT(OPT_INTERVAL) | OPT_BIT(OPT_ENDPOINT_TIMEOUT) |
		  OPT_BIT(OPT_BFD_INTERVAL),
	  "service loop: apply, refetch every --interval and on SIGHUP", run_run },
	{ "tester", "up|down DOMAIN", 2, 2, OPT_BIT(OPT_DRY), "the tester namespace", run_tester },
	{ "retire-1.0", "DOMAIN", 1, 1, OPT_BIT(OPT_DRY),
	  "after up on a wgmesh 1.0 node: remove what 1.0 left", run_retire },
	{ "bird-stop", "NETNS", 1, 1, OPT_BIT(OPT_WAIT),
	  "wgmesh-bird@'s ExecStop: drain before BIRD stops", run_bird_stop },
	{ "bird-stopped", "NETNS", 1, 1, 0,
	  "wgmesh-bird@'s ExecStopPost: end bird-stop's drain", run_bird_stopped },
};

#define N_COMMANDS (sizeof(net_commands) / sizeof(net_commands[0]))

static void print_option(FILE *f, enum option_id id)
{
	const struct net_option *opt = &net_options[id];
	char left[40];

	snprintf(left, sizeof(left), "--%s%s%s", opt->name, opt->arg ? " " : "",
		 opt->arg ? opt->arg : "");
	fprintf(f, "  %-28s %s\n", left, opt->help);
}

static void print_common_tail(FILE *f)
{
	fprintf(f, "  %-28s %s\n", "-v, -q, -d", "more, less, debug output (most verbose wins)");
}

/* wgmesh-net --help: every command, then every option with the commands that take it. */
static void usage(FILE *f)
{
	fprintf(f, "usage: wgmesh-net [options] COMMAND ...\n");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		char left[40];

		snprintf(left, sizeof(left), "%s %s", net_commands[i].name, net_commands[i].args);
		fprintf(f, "  %-21s %s\n", left, net_commands[i].what);
	}
	fprintf(f, "node options (every command):\n");
	for (int id = 0; id < OPT_N_NODE; id++)
		print_option(f, (enum option_id)id);
	print_common_tail(f);
	fprintf(f, "  %-28s %s\n", "--help, --version", "this text (or COMMAND's), the version");
	fprintf(f, "command options:\n");
	for (int id = OPT_N_NODE; id < OPT_COUNT; id++) {
		char takers[128] = "";
		size_t len = 0;

		print_option(f, (enum option_id)id);
		for (size_t i = 0; i < N_COMMANDS; i++)
			if (net_commands[i].opts & OPT_BIT(id))
				len += (size_t)snprintf(takers + len, sizeof(takers) - len, "%s%s",
							len ? ", " : "", net_commands[i].name);
		fprintf(f, "  %-28s (%s)\n", "", takers);
	}
}

static void command_usage_line(FILE *f, const struct net_command *c)
{
	fprintf(f, "usage: wgmesh-net [options] %s %s\n", c->name, c->args);
}

/* wgmesh-net COMMAND --help */
static void command_usage(FILE *f, const struct net_command *c)
{
	command_usage_line(f, c);
	fprintf(f, "  %s\n", c->what);
	if (c->opts) {
		fprintf(f, "options:\n");
		for (int id = OPT_N_NODE; id < OPT_COUNT; id++)
			if (c->opts & OPT_BIT(id))
				print_option(f, (enum option_id)id);
	}
	fprintf(f, "node options:\n");
	for (int id = 0; id < OPT_N_NODE; id++)
		print_option(f, (enum option_id)id);
	print_common_tail(f);
}

static const struct net_command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(net_commands[i].name, name))
			return &net_commands[i];
	return NULL;
}

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

/* One option's value into o; -EINVAL after one line naming it. */
static int set_option(enum option_id id, const char *arg, struct netmgr_opts *o)
{
	char err[256], note[64];

	switch (id) {
	case OPT_STATE: o->state_dir = arg; return 0;
	case OPT_DNS:
		if (wgm_fetch_opts_add_server(&o->fetch, arg, err, sizeof(err)) < 0) {
			log_err("%s", err);
			return -EINVAL;
		}
		return 0;
	case OPT_DNSFETCH: o->dnsfetch_path = arg; return 0;
	case OPT_DNSFETCH_USER: o->dnsfetch_user = arg; return 0;
	case OPT_BIRD: o->bird_dir = arg; return 0;
	case OPT_SHOREWALL: o->shorewall_dir = arg; return 0;
	case OPT_NFT: o->nft_dir = arg; return 0;
	case OPT_HOOK: o->hook_dir = arg; return 0;
	case OPT_DRY: o->dry_run = true; return 0;
	case OPT_JSON: o->json = true; return 0;
	case OPT_METRICS: o->metrics_path = arg; return 0;
	case OPT_INTERVAL:
		return number_option("--interval", arg, 10, 86400, "seconds", "", &o->interval);
	case OPT_ENDPOINT_TIMEOUT:
		/* WireGuard tries a handshake every 5 s: a shorter wait could not see an answer. */
		return number_option("--endpoint-timeout", arg, 6, 86400, "seconds", "",
				     &o->endpoint_timeout);
	case OPT_BFD_INTERVAL:
		snprintf(note, sizeof(note), " (a link is down after %u missed)", WGM_BFD_MULTIPLIER);
		return number_option("--bfd-interval", arg, WGM_BFD_INTERVAL_MS_MIN,
				     WGM_BFD_INTERVAL_MS_MAX, "milliseconds", note, &o->bfd_interval_ms);
	case OPT_NO_DRAIN: o->no_drain = true; return 0;
	case OPT_WAIT:
		return number_option("--wait", arg, 0, 3600, "seconds", "", &o->drain_wait);
	case OPT_COUNT:
		break;
	}
	return -EINVAL;
}

enum { GETOPT_BASE = 256, GETOPT_VERSION = GETOPT_BASE + OPT_COUNT };

/* Options anywhere on the line, as getopt_long permutes them; *given: which ones came. */
static int parse_options(int argc, char **argv, struct netmgr_opts *o, unsigned *given,
			 bool *help)
{
	struct option longopts[OPT_COUNT + 3];
	int c;

	for (int id = 0; id < OPT_COUNT; id++)
		longopts[id] = (struct option){ net_options[id].name,
						net_options[id].arg ? required_argument : no_argument,
						NULL, GETOPT_BASE + id };
	longopts[OPT_COUNT] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[OPT_COUNT + 1] = (struct option){ "version", no_argument, NULL, GETOPT_VERSION };
	longopts[OPT_COUNT + 2] = (struct option){ 0 };
	*given = 0;
	*help = false;
	while ((c = getopt_long(argc, argv, "vqdh", longopts, NULL)) != -1) {
		if (wgm_log_verbosity(c))
			continue;
		if (c == 'h') {
			*help = true;
		} else if (c == GETOPT_VERSION) {
			printf("wgmesh-net %s\n", WGM_VERSION);
			exit(0);
		} else if (c >= GETOPT_BASE && c < GETOPT_BASE + OPT_COUNT) {
			if (set_option((enum option_id)(c - GETOPT_BASE), optarg, o) < 0)
				return -EINVAL;
			*given |= OPT_BIT(c - GETOPT_BASE);
		} else {
			usage(stderr);
			return -EINVAL;
		}
	}
	return 0;
}

static int run_up(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_deploy(o, args[0], NULL) < 0 ? 1 : 0;
}

static int run_apply(const struct netmgr_opts *o, char **args, int nargs)
{
	char domain[WGM_HOSTNAME_MAX + 1];

	if (nargs == 2)
		snprintf(domain, sizeof(domain), "%s", args[1]);
	else if (domain_from_file(args[0], domain, sizeof(domain)) < 0) {
		log_err("cannot tell the domain from \"%s\" (not <uuid>.<domain>.txt): give it: apply FILE DOMAIN",
			args[0]);
		return 1;
	}
	return cmd_deploy(o, domain, args[0]) < 0 ? 1 : 0;
}

static int run_down(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_down(o, args[0]) < 0 ? 1 : 0;
}

static int run_status(const struct netmgr_opts *o, char **args, int nargs)
{
	struct wgm_node_names n;
	bool drained = false;

	(void)nargs;
	if (load_names(o, args[0], &n) < 0)
		return 1;
	if (drain_flag_read(o->state_dir, args[0], &drained) < 0)
		log_warn("cannot read the drain flag in %s", o->state_dir);
	return status_show(&n, drained, o->json) < 0 ? 1 : 0;
}

static int run_verify(const struct netmgr_opts *o, char **args, int nargs)
{
	struct wgm_node_names n;

	(void)nargs;
	/* a node whose names cannot be told is broken */
	if (load_names(o, args[0], &n) < 0)
		return 2;
	return verify_run(&n, o, args[0]);
}

static int run_run(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_run(o, args[0]) < 0 ? 1 : 0;
}

static int run_tester(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_tester(o, args[0], args[1]) < 0 ? 1 : 0;
}

static int run_retire(const struct netmgr_opts *o, char **args, int nargs)
{
	struct wgm_node_names n;

	(void)nargs;
	if (load_names(o, args[0], &n) < 0)
		return 1;
	return legacy_retire(o, args[0], &n) < 0 ? 1 : 0;
}

static int run_drain(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_drain(o, args[0], true) < 0 ? 1 : 0;
}

static int run_undrain(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_drain(o, args[0], false) < 0 ? 1 : 0;
}

static int run_bird_stop(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_bird_stop(o, args[0], true) < 0 ? 1 : 0;
}

static int run_bird_stopped(const struct netmgr_opts *o, char **args, int nargs)
{
	(void)nargs;
	return cmd_bird_stop(o, args[0], false) < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	const struct net_command *c;
	struct netmgr_opts o;
	unsigned given, refused;
	char **args;
	int nargs;
	bool help, as_wgdeploy = !strcmp(basename(argv[0]), "wgdeploy");

	wgm_log_init(as_wgdeploy ? "wgdeploy" : "wgmesh-net");
	/* Before any key is read: no core file, and no process without CAP_SYS_PTRACE (a
	 * root one included) may read our memory through ptrace or /proc/PID/mem. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		log_err("cannot clear the dumpable flag: %s", strerror(errno));
		return 1;
	}
	netmgr_opts_defaults(&o);
	if (parse_options(argc, argv, &o, &given, &help) < 0)
		return 1;
	args = argv + optind;
	nargs = argc - optind;
	if (as_wgdeploy) {
		c = find_command("up");
	} else if (nargs < 1) {
		usage(help ? stdout : stderr);
		return help ? 0 : 1;
	} else {
		c = find_command(args[0]);
		if (!c) {
			log_err("unknown command \"%s\": see wgmesh-net --help", args[0]);
			return 1;
		}
		args++;
		nargs--;
	}
	if (help) {
		command_usage(stdout, c);
		return 0;
	}
	refused = given & ~(OPTS_NODE | c->opts);
	for (int id = 0; id < OPT_COUNT; id++) {
		if (refused & OPT_BIT(id)) {
			log_err("%s does not take --%s (see wgmesh-net %s --help)", c->name,
				net_options[id].name, c->name);
			return 1;
		}
	}
	if (nargs < c->min_args || nargs > c->max_args) {
		command_usage_line(stderr, c);
		return 1;
	}
	return c->run(&o, args, nargs);
}

#include "preflight.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "birdconf.h"
#include "hooks.h"
#include "nft.h"
#include "view.h"

/* A directory the deploy writes into; opt is the option that moves it ("" for none). */
struct target_dir {
	char path[4096];
	const char *opt;
	bool create; /* made (with its parents, 0755) when missing; else it must exist */
};

/* "cannot write into DIR: why" or, when a parent is the trouble, "... (PARENT: why)". */
static int dir_error(int e, const char *at, const struct target_dir *t, char *err, size_t errlen)
{
	int n;

	if (strcmp(at, t->path))
		n = snprintf(err, errlen, "cannot write into %s (%s: %s)", t->path, at, strerror(e));
	else
		n = snprintf(err, errlen, "cannot write into %s: %s", t->path, strerror(e));
	if (*t->opt && n > 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, "; fix that or give another %s DIR", t->opt);
	return -e;
}

/* The directory, or the nearest of its parents that exists, must be a writable directory. */
static int check_dir(const struct target_dir *t, char *err, size_t errlen)
{
	char probe[sizeof(t->path)], *slash;
	struct stat st;

	memcpy(probe, t->path, sizeof(probe));
	while (stat(probe, &st) < 0) {
		int e = errno;

		slash = strrchr(probe, '/');
		if ((e != ENOENT && e != ENOTDIR) || !t->create || !strcmp(probe, ".") ||
		    (slash == probe && !probe[1]))
			return dir_error(e, probe, t, err, errlen);
		if (!slash)
			snprintf(probe, sizeof(probe), ".");
		else if (slash == probe)
			probe[1] = 0;
		else
			*slash = 0;
	}
	if (!S_ISDIR(st.st_mode))
		return dir_error(ENOTDIR, probe, t, err, errlen);
	/* access() also answers EROFS for root, whom permission bits do not stop. */
	if (access(probe, W_OK | X_OK) < 0)
		return dir_error(errno, probe, t, err, errlen);
	return 0;
}

static int make_dirs(const struct target_dir *t, char *err, size_t errlen)
{
	char path[sizeof(t->path)];

	memcpy(path, t->path, sizeof(path));
	for (char *p = path + 1;; p++) {
		bool end = !*p;

		if (*p != '/' && !end)
			continue;
		*p = 0;
		/* The mode exactly, whatever the umask: BIRD reads its config as its own user. */
		if (mkdir(path, 0755) == 0 ? chmod(path, 0755) < 0 : errno != EEXIST)
			return dir_error(errno, path, t, err, errlen);
		if (end)
			return 0;
		*p = '/';
	}
}

/* A file we replace by rename must be a file (or not there yet). */
static int check_file(const char *path, const char *opt, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0 || S_ISREG(st.st_mode))
		return 0;
	snprintf(err, errlen, "cannot write %s: it is not a regular file; remove it or give another %s DIR",
		 path, opt);
	return -EISDIR;
}

static int targets(const struct netmgr_opts *o, const struct host_ctx *h,
		   const struct wgm_node_plan *plan, bool dry_run, char *err, size_t errlen)
{
	struct target_dir dirs[5] = { 0 };
	char files[5][4096];
	const char *file_opt[5];
	size_t nd = 0, nf = 0;
	int ret;

	/* The serial file sits beside the host state, which exists. */
	snprintf(dirs[nd].path, sizeof(dirs[nd].path), "%s", o->state_dir);
	dirs[nd++].opt = "--state-dir";
	wgm_domain_file(o->state_dir, h->domain, "serial", files[nf], sizeof(files[nf]));
	file_opt[nf++] = "--state-dir";

	ret = birdgen_conf_path(o->bird_dir, plan->netns, files[nf], sizeof(files[nf]));
	if (ret == 0)
		ret = birdgen_local_dir(o->bird_dir, plan->netns, dirs[nd + 1].path, sizeof(dirs[nd + 1].path));
	if (ret < 0) {
		snprintf(err, errlen, "BIRD directory \"%s\" is too long or unusable: give a short --bird-dir DIR",
			 o->bird_dir);
		return ret;
	}
	file_opt[nf++] = "--bird-dir";
	snprintf(dirs[nd].path, sizeof(dirs[nd].path), "%s", o->bird_dir);
	dirs[nd].opt = dirs[nd + 1].opt = "--bird-dir";
	dirs[nd].create = dirs[nd + 1].create = true;
	nd += 2;

	if (plan->firewall == WGM_FW_NFTABLES) {
		ret = firewall_nft_path(o->nft_dir, plan->netns, files[nf], sizeof(files[nf]));
		if (ret < 0) {
			snprintf(err, errlen, "nftables directory \"%s\" is too long or unusable: give a short --nft-dir DIR",
				 o->nft_dir);
			return ret;
		}
		file_opt[nf++] = "--nft-dir";
		snprintf(dirs[nd].path, sizeof(dirs[nd].path), "%s", o->nft_dir);
		dirs[nd].opt = "--nft-dir";
		dirs[nd++].create = true;
	} else if (plan->firewall == WGM_FW_SHOREWALL) {
		/* interfaces, rules and snat are checked alike: one of them stands for all. */
		snprintf(files[nf], sizeof(files[nf]), "%.4000s/interfaces", o->shorewall_dir);
		file_opt[nf++] = "--shorewall-dir";
		snprintf(dirs[nd].path, sizeof(dirs[nd].path), "%s", o->shorewall_dir);
		dirs[nd].opt = "--shorewall-dir";
		dirs[nd++].create = true;
	}
	snprintf(dirs[nd].path, sizeof(dirs[nd].path), "%s", HOOKS_RUN_DIR);
	dirs[nd].opt = "";
	dirs[nd++].create = true;

	for (size_t i = 0; i < nd; i++)
		if ((ret = check_dir(&dirs[i], err, errlen)) < 0)
			return ret;
	for (size_t i = 0; i < nf; i++)
		if ((ret = check_file(files[i], file_opt[i], err, errlen)) < 0)
			return ret;
	for (size_t i = 0; i < nd && !dry_run; i++)
		if (dirs[i].create && (ret = make_dirs(&dirs[i], err, errlen)) < 0)
			return ret;
	return 0;
}

static bool ours_veth_end(const struct actual_link *l)
{
	return !strcmp(l->kind, "veth") && l->peer_elsewhere;
}

/* Every interface the host state names, where up will look for it. The trust interface may
 * already be in the private namespace: an earlier up moved it there. */
static int interfaces(const struct host_ctx *h, const struct wgm_node_plan *plan,
		      const struct mesh_view *v, char *err, size_t errlen)
{
	const struct actual_link *l;

	if (plan->public_if[0] && !actual_link_by_name(&v->a_under, plan->public_if)) {
		snprintf(err, errlen, "public interface %s (interface_public in %s) does not exist: name the right one with wgconfig -i IFACE",
			 plan->public_if, h->state_path);
		return -ENODEV;
	}
	if (plan->trust_if[0] && !actual_link_by_name(&v->a_under, plan->trust_if) &&
	    !actual_link_by_name(&v->a_priv, plan->trust_if)) {
		snprintf(err, errlen, "trust interface %s (interface_trust in %s) is in neither the underlay nor namespace %s: name the right one with wgconfig -T IFACE",
			 plan->trust_if, h->state_path, plan->netns);
		return -ENODEV;
	}
	/* up repairs a lone end of its veth by deleting it (its peer went with an old namespace
	 * that a BIRD still holds): never an interface of another kind, nor a veth pair that lives
	 * beside it (both ends in the underlay, as a LAN's may). */
	l = actual_link_by_name(&v->a_under, plan->veth_outer);
	if (l && !ours_veth_end(l)) {
		snprintf(err, errlen, "veth name %s is taken by another interface: pick a free name with wgconfig -o NAME",
			 plan->veth_outer);
		return -EEXIST;
	}
	l = actual_link_by_name(&v->a_priv, plan->veth_inner);
	if (l && !ours_veth_end(l)) {
		snprintf(err, errlen, "%s exists in %s %s %s in the underlay: it is not our veth; remove or rename it",
			 plan->veth_inner, plan->netns,
			 actual_link_by_name(&v->a_under, plan->veth_outer) ? "beside" : "without",
			 plan->veth_outer);
		return -EEXIST;
	}
	return 0;
}

/* The names are one per node, not one per mesh: another mesh here (a host state beside ours)
 * that builds under our namespace or underlay veth name would have its namespace taken over,
 * or its veth deleted as a lone end of ours. A file there that is no host state is not a mesh. */
static int other_meshes(const struct netmgr_opts *o, const struct host_ctx *h,
			const struct wgm_node_plan *plan, char *err, size_t errlen)
{
	struct dirent *e;
	DIR *d = opendir(o->state_dir);
	int ret = 0;

	if (!d)
		return 0; /* targets() says what is wrong with the directory */
	while (ret == 0 && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		char domain[WGM_HOSTNAME_MAX + 1], path[4096], why[256];
		struct wgm_host_state hs;
		struct wgm_node_names n;

		if (len <= 5 || len - 5 > WGM_HOSTNAME_MAX || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(domain, sizeof(domain), "%.*s", (int)(len - 5), e->d_name);
		if (!strcasecmp(domain, h->domain) ||
		    wgm_host_state_path(o->state_dir, domain, path, sizeof(path)) < 0 ||
		    wgm_host_state_load(path, &hs, why, sizeof(why)) < 0)
			continue;
		if (wgm_node_names_build(&hs, &n, why, sizeof(why)) == 0) {
			if (!strcmp(n.netns, plan->netns)) {
				snprintf(err, errlen, "namespace %s is mesh %s's too (%s): give one of them another with wgconfig --netns NAME",
					 plan->netns, domain, path);
				ret = -EEXIST;
			} else if (!strcmp(n.veth_outer, plan->veth_outer)) {
				snprintf(err, errlen, "veth name %s is mesh %s's too (%s): give one of them another with wgconfig -o NAME",
					 plan->veth_outer, domain, path);
				ret = -EEXIST;
			}
		}
		wgm_host_state_free(&hs);
	}
	closedir(d);
	return ret;
}

int preflight_run(const struct netmgr_opts *o, const struct host_ctx *h,
		  const struct wgm_node_plan *plan, const struct mesh_view *v, bool dry_run,
		  char *err, size_t errlen)
{
	int ret = interfaces(h, plan, v, err, errlen);

	if (ret == 0)
		ret = other_meshes(o, h, plan, err, errlen);
	return ret < 0 ? ret : targets(o, h, plan, dry_run, err, errlen);
}

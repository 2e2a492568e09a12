/* Benchmark driver for selftests/bench_dnsfetch.sh.
 *   bench_fetch make DIR HOSTS
 *       Seals a deploy record for a HOSTS-host mesh (host 1's view: HOSTS-1 peers) with fresh
 *       keys and writes DIR/record.txt (one TXT string per line), DIR/host_priv, DIR/site_pub.
 *   bench_fetch run DIR NAME SERVER HELPER RUNS
 *       Fetches TXT NAME from SERVER, reassembles, opens and parses it RUNS times, in-process
 *       and through the wgmesh-dnsfetch child (spawned once), and prints median and max. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "resolve.h"
#include "key.h"
#include "records.h"
#include "txtchunk.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int make(const char *dir, unsigned hosts)
{
	static struct wgm_deploy_record rec;
	struct wgm_key site_sk, site_pk, host_sk, host_pk, peer_sk;
	struct wgm_buf payload = { 0 };
	struct wgm_strv lines = { 0 };
	char path[4096];
	FILE *f = NULL;
	int ret;

	if (hosts < 2 || hosts > WGM_MAX_HOSTS + 1) {
		fprintf(stderr, "bench_fetch: HOSTS must be 2..%d\n", WGM_MAX_HOSTS + 1);
		return -EINVAL;
	}
	ret = wgm_key_generate(&site_sk, &site_pk, true);
	if (!ret)
		ret = wgm_key_generate(&host_sk, &host_pk, true);
	if (ret)
		return ret;
	rec.asn = 4200000000u;
	snprintf(rec.site, sizeof(rec.site), "bench.example.com");
	rec.octet = 1;
	rec.portbase = 21100;
	snprintf(rec.remote, sizeof(rec.remote), "fd86:ea04:1116::/48");
	rec.has_serial = true;
	rec.serial = 1764115200;
	for (unsigned i = 2; i <= hosts; i++) {
		struct wgm_deploy_peer *p = &rec.hosts[rec.n_hosts++];

		snprintf(p->hostname, sizeof(p->hostname), "node%u.bench.example.net", i);
		ret = wgm_key_generate(&peer_sk, &p->key, true);
		wgm_key_wipe(&peer_sk);
		if (ret)
			return ret;
		p->asn = 4200000000u + i - 1;
		p->localport = (uint16_t)(rec.portbase + i);
		p->remoteport = (uint16_t)(rec.portbase + rec.octet);
		snprintf(p->remote, sizeof(p->remote), "198.51.100.%u", i % 250 + 1);
	}
	ret = wgm_deploy_seal(&rec, &site_sk, &host_pk, &payload);
	if (!ret)
		ret = wgm_txt_encode(payload.p, payload.len, &lines);
	if (ret)
		goto out;
	snprintf(path, sizeof(path), "%s/record.txt", dir);
	f = fopen(path, "w");
	if (!f) {
		ret = -errno;
		goto out;
	}
	for (size_t i = 0; i < lines.n; i++)
		fprintf(f, "%s\n", lines.v[i]);
	if (fclose(f))
		ret = -errno;
	snprintf(path, sizeof(path), "%s/host_priv", dir);
	if (!ret)
		ret = wgm_key_save(&host_sk, path, true, false);
	snprintf(path, sizeof(path), "%s/site_pub", dir);
	if (!ret)
		ret = wgm_key_save(&site_pk, path, false, false);
	printf("record: %u hosts, payload %zu bytes, %zu TXT strings\n", hosts, payload.len,
	       lines.n);
out:
	wgm_key_wipe(&site_sk);
	wgm_key_wipe(&host_sk);
	wgm_buf_free(&payload);
	wgm_strv_free(&lines);
	return ret;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One fetch + reassemble + open + parse; -errno or 0, with the record checked. */
static int one_run(struct wgm_fetcher *f, const struct wgm_fetch_opts *o, const char *name,
		   const struct wgm_key *host_sk, const struct wgm_key *site_pk,
		   struct wgm_deploy_record *rec, char *err, size_t errlen)
{
	struct wgm_fetch_result r;
	struct wgm_buf payload = { 0 };
	int ret = f ? wgm_fetcher_txt(f, name, 0, &r) : wgm_fetch_txt(o, name, &r);

	if (!ret && r.status != WGM_FETCH_OK)
		ret = -ENOENT;
	if (ret)
		snprintf(err, errlen, "fetch %.60s: %.40s %.120s", name,
			 wgm_fetch_status_str(r.status), r.detail);
	if (!ret)
		ret = wgm_txt_decode((const char *const *)r.txt.v, r.txt.n, &payload, err, errlen);
	if (!ret)
		ret = wgm_deploy_open(payload.p, payload.len, host_sk, site_pk, rec, err, errlen);
	wgm_buf_free(&payload);
	wgm_fetch_result_free(&r);
	return ret;
}

static int bench(const char *label, struct wgm_fetcher *f, const struct wgm_fetch_opts *o,
		 const char *name, const struct wgm_key *host_sk, const struct wgm_key *site_pk,
		 unsigned runs)
{
	static struct wgm_deploy_record rec;
	double *ms = calloc(runs, sizeof(double));
	char err[256];
	int ret = 0;

	if (!ms)
		return -ENOMEM;
	for (unsigned i = 0; i < runs && !ret; i++) {
		double t0 = now_ms();

		ret = one_run(f, o, name, host_sk, site_pk, &rec, err, sizeof(err));
		ms[i] = now_ms() - t0;
	}
	if (ret) {
		fprintf(stderr, "bench_fetch: %s: %s\n", label, err);
	} else {
		qsort(ms, runs, sizeof(double), cmp_double);
		printf("%-28s runs %u  median %7.2f ms  max %7.2f ms  (%zu peers decoded)\n", label,
		       runs, runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2,
		       ms[runs - 1], rec.n_hosts);
	}
	free(ms);
	return ret;
}

static int run(const char *dir, const char *name, const char *server, const char *helper,
	       unsigned runs)
{
	struct wgm_fetch_opts o = { 0 };
	struct wgm_key host_sk, site_pk;
	struct wgm_fetcher *f = NULL;
	char path[4096], err[256];
	double t0;
	int ret;

	if (wgm_fetch_opts_add_server(&o, server, err, sizeof(err))) {
		fprintf(stderr, "bench_fetch: %s\n", err);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "%s/host_priv", dir);
	ret = wgm_key_load(&host_sk, path, true);
	snprintf(path, sizeof(path), "%s/site_pub", dir);
	if (!ret)
		ret = wgm_key_load(&site_pk, path, false);
	if (ret) {
		fprintf(stderr, "bench_fetch: cannot load keys from %s: %s\n", dir, strerror(-ret));
		return ret;
	}
	ret = bench("in-process (baseline)", NULL, &o, name, &host_sk, &site_pk, runs);
	if (!ret) {
		t0 = now_ms();
		ret = wgm_fetcher_spawn(helper, NULL, &o, &f);
		if (!ret)
			printf("%-28s %.2f ms (once)\n", "child spawn until READY", now_ms() - t0);
	}
	if (!ret)
		ret = bench("child (wgmesh-dnsfetch)", f, &o, name, &host_sk, &site_pk, runs);
	wgm_fetcher_close(f);
	wgm_key_wipe(&host_sk);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "make"))
		return make(argv[2], (unsigned)atoi(argv[3])) ? 1 : 0;
	if (argc == 7 && !strcmp(argv[1], "run"))
		return run(argv[2], argv[3], argv[4], argv[5], (unsigned)atoi(argv[6])) ? 1 : 0;
	fprintf(stderr, "usage: bench_fetch make DIR HOSTS\n"
			"       bench_fetch run DIR NAME SERVER HELPER RUNS\n");
	return 2;
}

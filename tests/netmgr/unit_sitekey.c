/* Site-key rollover, without a network: the formats (site record nextkey, a deploy record's
 * handover and the new key's seal, a revocation) and the node's rules (netmgr/node/sitekey.c: the
 * hold-down, pinning, refusing what only the retired key sealed, the bad handovers), on real
 * keys and real files in a temporary state directory. docs/design.md#site-key-rollover. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "box.h"
#include "check.h"
#include "hoststate.h"
#include "log.h"
#include "options.h"
#include "records.h"
#include "sitekey.h"

static struct wgm_key old_sk, old_pk, new_sk, new_pk, thief_sk, thief_pk, host_sk, host_pk;
static char dir[] = "/tmp/wgm-sitekey.XXXXXX";
#define DOMAIN "mesh.example.com"

static void sample_record(struct wgm_deploy_record *r)
{
	memset(r, 0, sizeof(*r));
	r->asn = 64512;
	snprintf(r->site, sizeof(r->site), DOMAIN);
	r->octet = 1;
	r->portbase = 21100;
	snprintf(r->remote, sizeof(r->remote), "fd00:1:2::/48");
	r->has_serial = true;
	r->serial = 7;
	r->n_hosts = 1;
	snprintf(r->hosts[0].hostname, sizeof(r->hosts[0].hostname), "node2.example.net");
	r->hosts[0].key = thief_pk; /* any key but ours */
	r->hosts[0].asn = 64513;
	r->hosts[0].localport = 21102;
	r->hosts[0].remoteport = 21101;
	snprintf(r->hosts[0].remote, sizeof(r->hosts[0].remote), "198.51.100.2");
}

/* payload: a record sealed by sk, handing over to next (sealed by next_sk) when next_sk. */
static void seal(struct wgm_buf *p, const struct wgm_key *sk, const struct wgm_key *next_sk,
		 const struct wgm_key *next_pk, uint64_t since)
{
	struct wgm_deploy_record *r = malloc(sizeof(*r));

	sample_record(r);
	wgm_buf_reset(p);
	if (next_sk) {
		r->handover.has_key = true;
		r->handover.key = *next_pk;
		r->handover.since = since;
		CHECK_INTEQ(wgm_deploy_seal_handover(r, sk, next_sk, &host_pk, p), 0);
	} else {
		CHECK_INTEQ(wgm_deploy_seal(r, sk, &host_pk, p), 0);
	}
	free(r);
}

static void test_site_record(void)
{
	struct wgm_site_record r = { 0 }, got;
	struct wgm_buf p = { 0 };
	char err[256] = "";

	snprintf(r.locus, sizeof(r.locus), "lab");
	r.public_key = old_pk;
	r.has_next_key = true;
	r.next_key = new_pk;
	CHECK_INTEQ(wgm_site_record_encode(&r, &p), 0);
	CHECK(strstr((char *)p.p, "nextkey: ") != NULL);
	CHECK_INTEQ(wgm_site_record_decode(p.p, p.len, &got, err, sizeof(err)), 0);
	CHECK(got.has_next_key && wgm_key_equal(&got.next_key, &new_pk));
	/* without a handover the record is 1.0's two keys */
	wgm_buf_reset(&p);
	r.has_next_key = false;
	CHECK_INTEQ(wgm_site_record_encode(&r, &p), 0);
	CHECK(strstr((char *)p.p, "nextkey") == NULL);
	wgm_buf_reset(&p);
	r.has_next_key = true;
	r.next_key = old_pk;
	CHECK_INTEQ(wgm_site_record_encode(&r, &p), 0);
	CHECK_FAILS_NAMING(wgm_site_record_decode(p.p, p.len, &got, err, sizeof(err)), 0, err, "nextkey");
	wgm_buf_free(&p);
}

/* Opens payload with host_sk and site_pk into a YAML text (what a node sees inside the box). */
static char *inner_text(const struct wgm_buf *p, const struct wgm_key *site_pk)
{
	struct wgm_buf y = { 0 };
	char err[128];

	CHECK_INTEQ(wgm_box_open(p->p, p->len, &host_sk, site_pk, &y, err, sizeof(err)), 0);
	wgm_buf_appendf(&y, "%s", "");
	return (char *)y.p;
}

static void reseal_text(struct wgm_buf *p, const char *yaml, const struct wgm_key *sk)
{
	wgm_buf_reset(p);
	CHECK_INTEQ(wgm_box_seal((const uint8_t *)yaml, strlen(yaml), sk, &host_pk, p), 0);
}

static void test_handover_format(void)
{
	struct wgm_deploy_record *r = malloc(sizeof(*r));
	struct wgm_buf p = { 0 };
	char err[512] = "", *y, *at;

	seal(&p, &old_sk, &new_sk, &new_pk, 1000);
	CHECK_INTEQ(wgm_deploy_open(p.p, p.len, &host_sk, &old_pk, r, err, sizeof(err)), 0);
	CHECK(r->handover.has_key && wgm_key_equal(&r->handover.key, &new_pk));
	CHECK_INTEQ(r->handover.since, 1000);
	CHECK_INTEQ(r->n_hosts, 1);
	/* the outer box is the old key's: the new key alone does not open it */
	CHECK_INTEQ(wgm_deploy_open(p.p, p.len, &host_sk, &new_pk, r, err, sizeof(err)), -EBADMSG);

	/* the old key's holder changes a peer and re-seals: the new key's seal no longer fits */
	y = inner_text(&p, &old_pk);
	at = strstr(y, "198.51.100.2");
	CHECK(at != NULL);
	if (at)
		at[11] = '9';
	reseal_text(&p, y, &old_sk);
	free(y);
	CHECK_FAILS_NAMING(wgm_deploy_open(p.p, p.len, &host_sk, &old_pk, r, err, sizeof(err)), -EKEYREJECTED, err, "not sealed by that key");

	/* a thief with the old key names a successor whose seal it cannot make */
	seal(&p, &old_sk, &thief_sk, &new_pk, 1000);
	CHECK_INTEQ(wgm_deploy_open(p.p, p.len, &host_sk, &old_pk, r, err, sizeof(err)), -EKEYREJECTED);

	/* a handover without its seal line, or with the seal not last */
	seal(&p, &old_sk, &new_sk, &new_pk, 1000);
	y = inner_text(&p, &old_pk);
	at = strstr(y, "handover_seal: ");
	CHECK(at != NULL);
	{
		char *cut = strndup(y, (size_t)(at - y)), *more = NULL;

		reseal_text(&p, cut, &old_sk);
		CHECK_FAILS_NAMING(wgm_deploy_open(p.p, p.len, &host_sk, &old_pk, r, err, sizeof(err)), 0, err, "handover_seal");
		CHECK(asprintf(&more, "%sx_extra: 1\n", y) > 0);
		reseal_text(&p, more, &old_sk);
		CHECK_FAILS_NAMING(wgm_deploy_open(p.p, p.len, &host_sk, &old_pk, r, err, sizeof(err)), 0, err, "last line");
		free(cut);
		free(more);
	}
	free(y);

	/* a revocation */
	sample_record(r);
	r->handover.revoked = true;
	r->handover.revoked_at = 2000;
	wgm_buf_reset(&p);
	CHECK_INTEQ(wgm_deploy_seal(r, &old_sk, &host_pk, &p), 0);
	CHECK_INTEQ(wgm_deploy_open(p.p, p.len, &host_sk, &old_pk, r, err, sizeof(err)), 0);
	CHECK(r->handover.revoked && r->handover.revoked_at == 2000 && !r->handover.has_key);
	wgm_buf_free(&p);
	free(r);
}

static void test_key_file_wipe(void)
{
	char path[256], link[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/old.key", dir);
	snprintf(link, sizeof(link), "%s/old.link", dir);
	CHECK_INTEQ(wgm_key_save(&old_sk, path, true, true), 0);
	CHECK_INTEQ(symlink(path, link), 0);
	CHECK_INTEQ(wgm_key_file_wipe(link), -ELOOP);
	CHECK_INTEQ(stat(path, &st), 0);
	CHECK_INTEQ(st.st_size, 45);
	CHECK_INTEQ(wgm_key_file_wipe(path), 0);
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
	CHECK_INTEQ(wgm_key_file_wipe(path), -ENOENT);
	unlink(link);
}

static void host_setup(struct host_ctx *h, uint64_t hold)
{
	char err[256];

	memset(h, 0, sizeof(*h));
	snprintf(h->domain, sizeof(h->domain), DOMAIN);
	snprintf(h->state_path, sizeof(h->state_path), "%s/%s.yaml", dir, DOMAIN);
	snprintf(h->hs.domain, sizeof(h->hs.domain), DOMAIN);
	snprintf(h->hs.uuid, sizeof(h->hs.uuid), "6fc94b76-f857-4dce-942c-47df480cdda3");
	snprintf(h->hs.locus, sizeof(h->hs.locus), "lab");
	h->hs.site_public_key = old_pk;
	h->hs.has_site_key = true;
	h->hs.hold_down = hold;
	h->host_sk = host_sk;
	h->has_key = true;
	CHECK_INTEQ(wgm_host_state_save(h->state_path, &h->hs, err, sizeof(err)), 0);
}

static void pinned_in_file(struct host_ctx *h, const struct wgm_key *want)
{
	struct wgm_host_state hs;
	char err[256];

	CHECK_INTEQ(wgm_host_state_load(h->state_path, &hs, err, sizeof(err)), 0);
	CHECK(wgm_key_equal(&hs.site_public_key, want));
	wgm_host_state_free(&hs);
}

/* One fetch: open, then observe, as deploy_once does. */
static int fetch(struct host_ctx *h, const struct wgm_buf *p, const struct site_seen *site,
		 bool dry_run, char *err, size_t errlen)
{
	struct wgm_deploy_record *r = malloc(sizeof(*r));
	struct sitekey_state st;
	bool via;
	int ret = sitekey_load(dir, DOMAIN, &st, err, errlen);

	if (!ret)
		ret = sitekey_open(p->p, p->len, h, &st, r, &via, err, errlen);
	if (!ret)
		ret = sitekey_observe(dir, h, &st, r, site, via, dry_run, err, errlen);
	free(r);
	return ret;
}

static void test_node_rules(void)
{
	struct site_seen announced = { .seen = true, .has_next = true, .next = new_pk };
	struct site_seen silent = { .seen = true };
	struct wgm_buf p = { 0 }, p2 = { 0 };
	struct sitekey_state st;
	struct host_ctx h;
	char err[512] = "", path[300];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s%s", dir, DOMAIN, WGM_SITEKEY_SUFFIX);
	/* the default hold-down: two fetches in a row pin nothing */
	host_setup(&h, 0);
	seal(&p, &old_sk, &new_sk, &new_pk, 1000);
	CHECK_INTEQ(fetch(&h, &p, &announced, false, err, sizeof(err)), 0);
	CHECK_INTEQ(fetch(&h, &p, &announced, false, err, sizeof(err)), 0);
	pinned_in_file(&h, &old_pk);
	CHECK_INTEQ(sitekey_load(dir, DOMAIN, &st, err, sizeof(err)), 0);
	CHECK(st.has_pending && st.sightings == 2 && wgm_key_equal(&st.pending_key, &new_pk));
	unlink(path);
	wgm_host_state_free(&h.hs);

	/* not announced in the site record: not counted */
	host_setup(&h, 1);
	CHECK_INTEQ(fetch(&h, &p, &silent, false, err, sizeof(err)), 0);
	CHECK(stat(path, &sb) < 0);
	/* a dry run writes nothing */
	CHECK_INTEQ(fetch(&h, &p, &announced, true, err, sizeof(err)), 0);
	CHECK(stat(path, &sb) < 0);

	/* a 1 s hold-down: the first fetch starts it, one after it pins */
	CHECK_INTEQ(fetch(&h, &p, &announced, false, err, sizeof(err)), 0);
	pinned_in_file(&h, &old_pk);
	/* a different handover restarts the count */
	seal(&p2, &old_sk, &thief_sk, &thief_pk, 1000);
	{
		struct site_seen thief_site = { .seen = true, .has_next = true, .next = thief_pk };

		CHECK_INTEQ(fetch(&h, &p2, &thief_site, false, err, sizeof(err)), 0);
	}
	CHECK_INTEQ(sitekey_load(dir, DOMAIN, &st, err, sizeof(err)), 0);
	CHECK(st.sightings == 1 && wgm_key_equal(&st.pending_key, &thief_pk));
	CHECK_INTEQ(fetch(&h, &p, &announced, false, err, sizeof(err)), 0);
	sleep(2);
	CHECK_INTEQ(fetch(&h, &p, &announced, false, err, sizeof(err)), 0);
	pinned_in_file(&h, &new_pk);
	CHECK(wgm_key_equal(&h.hs.site_public_key, &new_pk));
	CHECK_INTEQ(sitekey_load(dir, DOMAIN, &st, err, sizeof(err)), 0);
	CHECK(!st.has_pending && st.has_retired && wgm_key_equal(&st.retired_key, &old_pk));
	CHECK_INTEQ(st.pinned_since, 1000);

	/* pinned to the new key: the old key's record sealed by both still opens ... */
	CHECK_INTEQ(fetch(&h, &p, &announced, false, err, sizeof(err)), 0);
	/* ... a record only the old key sealed does not */
	seal(&p2, &old_sk, NULL, NULL, 0);
	CHECK_FAILS_NAMING(fetch(&h, &p2, &announced, false, err, sizeof(err)), -EKEYREJECTED, err, "sealed only by the retired site key");
	/* nor one the old key sealed handing over to some other key */
	seal(&p2, &old_sk, &thief_sk, &thief_pk, 1000);
	CHECK_INTEQ(fetch(&h, &p2, &announced, false, err, sizeof(err)), -EKEYREJECTED);
	/* records of the new key open */
	seal(&p2, &new_sk, NULL, NULL, 0);
	CHECK_INTEQ(fetch(&h, &p2, &announced, false, err, sizeof(err)), 0);
	/* a handover back to the retired key, and one older than the pinned key's */
	seal(&p2, &new_sk, &old_sk, &old_pk, 3000);
	CHECK_FAILS_NAMING(fetch(&h, &p2, &announced, false, err, sizeof(err)), -EKEYREJECTED, err, "retired");
	seal(&p2, &new_sk, &thief_sk, &thief_pk, 999);
	CHECK_FAILS_NAMING(fetch(&h, &p2, &announced, false, err, sizeof(err)), -ESTALE, err, "older than the pinned key");
	CHECK_INTEQ(sitekey_load(dir, DOMAIN, &st, err, sizeof(err)), 0);
	CHECK(!st.has_pending); /* refused handovers leave nothing behind */

	/* a revocation by the pinned key: refused, and so is everything after it */
	{
		struct wgm_deploy_record *r = malloc(sizeof(*r));

		sample_record(r);
		r->handover.revoked = true;
		r->handover.revoked_at = 4000;
		wgm_buf_reset(&p2);
		CHECK_INTEQ(wgm_deploy_seal(r, &new_sk, &host_pk, &p2), 0);
		free(r);
	}
	CHECK_FAILS_NAMING(fetch(&h, &p2, &announced, false, err, sizeof(err)), -EKEYREVOKED, err, "revoked");
	seal(&p2, &new_sk, NULL, NULL, 0);
	CHECK_INTEQ(fetch(&h, &p2, &announced, false, err, sizeof(err)), -EKEYREVOKED);
	{
		char detail[300];

		CHECK_INTEQ(sitekey_health(dir, DOMAIN, detail, sizeof(detail)), 2);
		CHECK(strstr(detail, "revoked") && !strchr(detail, '\n'));
	}
	wgm_host_state_free(&h.hs);
	wgm_buf_free(&p);
	wgm_buf_free(&p2);
}

int main(void)
{
	char path[300];

	if (sodium_init() < 0 || !mkdtemp(dir))
		return 1;
	wgm_log_init("unit_sitekey");
	wgm_key_generate(&old_sk, &old_pk, false);
	wgm_key_generate(&new_sk, &new_pk, false);
	wgm_key_generate(&thief_sk, &thief_pk, false);
	wgm_key_generate(&host_sk, &host_pk, false);
	test_site_record();
	test_handover_format();
	test_key_file_wipe();
	test_node_rules();
	snprintf(path, sizeof(path), "%s/%s.yaml", dir, DOMAIN);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%s%s", dir, DOMAIN, WGM_SITEKEY_SUFFIX);
	unlink(path);
	CHECK_INTEQ(rmdir(dir), 0);
	return check_exit();
}

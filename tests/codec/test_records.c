/* The three 1.0 messages against the fixture of a real wgmesh 1.0 run: we read what 1.0 wrote
 * and write what 1.0 writes, plus the keys it reads past (kind, serial). */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "b64.h"
#include "box.h"
#include "check.h"
#include "fixture.h"
#include "records.h"
#include "txtchunk.h"
#include "yamldoc.h"

static const char *dir;
static struct wgm_key site_sk, site_pk;

struct host {
	const char *name, *uuid, *ipv4, *peer, *peer_ipv4;
	int octet, peer_octet;
	unsigned long asn, peer_asn;
	struct wgm_key sk, pk;
};

static struct host hosts[] = {
	{ "alpha.example.net", "6fc94b76-f857-4dce-942c-47df480cdda3", "192.0.2.10",
	  "beta.example.net", "198.51.100.20", 1, 2, 4200000000UL, 4200000001UL },
	{ "beta.example.net", "7dd3ebe3-e116-4121-b4ac-4405149a930e", "198.51.100.20",
	  "alpha.example.net", "192.0.2.10", 2, 1, 4200000001UL, 4200000000UL },
};

/* The site public key as site.yaml has it, read through our own YAML reader. */
static void load_site_keys(void)
{
	char text[WGM_KEY_B64_LEN + 1], err[256];
	struct wgm_ynode *doc = NULL;
	size_t len;
	char *yaml = fixture_read(dir, "site/site.yaml", &len);

	if (wgm_yaml_parse(yaml, len, NULL, &doc, err, sizeof(err)) ||
	    wgm_yget_str(wgm_ymap_get(doc, "global"), "publickey", true, text, sizeof(text), err,
			 sizeof(err)) ||
	    wgm_key_from_b64(&site_pk, text)) {
		fprintf(stderr, "site.yaml: %s\n", err);
		exit(1);
	}
	fixture_key(dir, "site/site.key", &site_sk);
	wgm_yaml_free(doc);
	free(yaml);
	for (size_t i = 0; i < 2; i++) {
		char path[256];

		snprintf(path, sizeof(path), "hosts/%s/etc-wireguard/lab_priv", hosts[i].name);
		fixture_key(dir, path, &hosts[i].sk);
		snprintf(path, sizeof(path), "hosts/%s/etc-wireguard/lab_pub", hosts[i].name);
		fixture_key(dir, path, &hosts[i].pk);
	}
}

static void test_site_record(void)
{
	struct wgm_strv lines = { 0 }, ours = { 0 };
	struct wgm_buf payload = { 0 }, encoded = { 0 };
	struct wgm_site_record rec;
	char err[256] = "";

	fixture_record(dir, "records/wg.example.com.txt", &lines);
	CHECK_INTEQ(wgm_txt_decode((const char *const *)lines.v, lines.n, &payload, err,
				   sizeof(err)), 0);
	CHECK_INTEQ(wgm_site_record_decode(payload.p, payload.len, &rec, err, sizeof(err)), 0);
	CHECK_STREQ(rec.locus, "lab");
	CHECK(wgm_key_equal(&rec.public_key, &site_pk));

	CHECK_INTEQ(wgm_site_record_encode(&rec, &encoded), 0);
	CHECK_INTEQ(encoded.len, payload.len);
	CHECK(encoded.len == payload.len && !memcmp(encoded.p, payload.p, payload.len));
	CHECK_INTEQ(wgm_txt_encode(encoded.p, encoded.len, &ours), 0);
	CHECK_INTEQ(ours.n, lines.n);
	for (size_t i = 0; i < ours.n && i < lines.n; i++)
		CHECK_STREQ(ours.v[i], lines.v[i]);
	wgm_strv_free(&lines);
	wgm_strv_free(&ours);
	wgm_buf_free(&payload);
	wgm_buf_free(&encoded);
}

static void check_registration(const struct wgm_registration *r, const struct host *h)
{
	CHECK_STREQ(r->hostname, h->name);
	CHECK_STREQ(r->uuid, h->uuid);
	CHECK(wgm_key_equal(&r->public_key, &h->pk));
	CHECK_STREQ(r->public_key_file, "/etc/wireguard/lab_pub");
	CHECK_STREQ(r->private_key_file, "/etc/wireguard/lab_priv");
	CHECK_STREQ(r->local_ipv4, h->ipv4);
	CHECK_STREQ(r->local_ipv6, "");
}

/* 1.0's outer layout: two lines of YAML, then the !!binary block of 76-char lines. */
static void check_outer_layout(const char *message, const struct wgm_key *pk)
{
	struct wgm_buf outer = { 0 };
	char expect[128], pk_text[WGM_KEY_B64_LEN + 1];
	const char *p, *end;

	CHECK(strchr(message, '\n') == NULL);
	CHECK_INTEQ(wgm_b64_decode(message, strlen(message), false, 1 << 20, &outer), 0);
	wgm_key_to_b64(pk, pk_text);
	snprintf(expect, sizeof(expect), "public_key: %s\nmessage: !!binary |\n", pk_text);
	CHECK(outer.len > strlen(expect) && !strncmp((char *)outer.p, expect, strlen(expect)));
	p = (const char *)outer.p + strlen(expect);
	end = (const char *)outer.p + outer.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line = nl ? (size_t)(nl - p) : 0;

		CHECK(nl != NULL);
		if (!nl)
			break;
		CHECK(line > 2 && p[0] == ' ' && p[1] == ' ' && p[2] != ' ');
		/* every line full but the last */
		CHECK(line - 2 == WGM_B64_LINE || nl + 1 == end);
		p = nl + 1;
	}
	wgm_buf_free(&outer);
}

/* Opens a registration by hand, layer by layer as docs/format.md#registration-message
 * describes, to its inner YAML. */
static void registration_plaintext(const char *message, const struct wgm_key *host_pk,
				   struct wgm_buf *inner)
{
	struct wgm_buf outer = { 0 }, layer1 = { 0 }, sealed = { 0 };
	struct wgm_ynode *doc = NULL, *msg;
	char err[256] = "";

	CHECK_INTEQ(wgm_b64_decode(message, strlen(message), false, 1 << 20, &outer), 0);
	CHECK_INTEQ(wgm_yaml_parse((char *)outer.p, outer.len, NULL, &doc, err, sizeof(err)), 0);
	msg = wgm_ymap_get(doc, "message");
	CHECK(msg && msg->tag && !strcmp(msg->tag, "tag:yaml.org,2002:binary"));
	if (msg) {
		CHECK_INTEQ(wgm_b64_decode(msg->scalar, msg->scalar_len, true, 1 << 20, &layer1), 0);
		CHECK_INTEQ(wgm_b64_decode((char *)layer1.p, layer1.len, true, 1 << 20, &sealed), 0);
		CHECK_INTEQ(wgm_box_open(sealed.p, sealed.len, &site_sk, host_pk, inner, err,
					 sizeof(err)), 0);
	}
	wgm_yaml_free(doc);
	wgm_buf_free(&outer);
	wgm_buf_free(&layer1);
	wgm_buf_free(&sealed);
}

static void test_registrations(void)
{
	for (size_t i = 0; i < 2; i++) {
		struct wgm_registration r, back;
		struct wgm_buf ours = { 0 };
		char rel[128], err[256] = "";
		char *msg;
		size_t len;

		snprintf(rel, sizeof(rel), "hosts/%s.registration", hosts[i].name);
		msg = fixture_read(dir, rel, &len);
		/* the file ends its one line with a newline, the message itself has none */
		if (len && msg[len - 1] == '\n')
			msg[--len] = 0;
		CHECK_INTEQ(wgm_registration_decode(msg, &site_sk, &r, err, sizeof(err)), 0);
		check_registration(&r, &hosts[i]);
		/* The 1.0 message and ours share the outer layout. */
		check_outer_layout(msg, &hosts[i].pk);

		CHECK_INTEQ(wgm_registration_encode(&r, &hosts[i].sk, &site_pk, &ours), 0);
		check_outer_layout((const char *)ours.p, &hosts[i].pk);
		CHECK_INTEQ(wgm_registration_decode((const char *)ours.p, &site_sk, &back, err,
						    sizeof(err)), 0);
		check_registration(&back, &hosts[i]);
		/* Inside, our YAML is 1.0's byte for byte after the kind line 1.0 reads past. */
		{
			struct wgm_buf theirs_inner = { 0 }, ours_inner = { 0 };

			registration_plaintext(msg, &hosts[i].pk, &theirs_inner);
			registration_plaintext((const char *)ours.p, &hosts[i].pk, &ours_inner);
			CHECK(theirs_inner.len > 0);
			CHECK(!strncmp((char *)ours_inner.p, "kind: registration\n", 19));
			CHECK_STREQ((char *)ours_inner.p + 19, (char *)theirs_inner.p);
			wgm_buf_free(&theirs_inner);
			wgm_buf_free(&ours_inner);
		}
		/* Fresh nonce: different bytes. */
		CHECK(strcmp((const char *)ours.p, msg) != 0);
		wgm_buf_free(&ours);
		free(msg);
	}
}

static void check_deploy(const struct wgm_deploy_record *r, const struct host *h)
{
	CHECK_INTEQ(r->asn, h->asn);
	CHECK_STREQ(r->site, "wg.example.com");
	CHECK_INTEQ(r->octet, h->octet);
	CHECK_INTEQ(r->portbase, 31000);
	CHECK_STREQ(r->remote, "fd42:7a3b:19c0::/48");
	CHECK(!r->has_serial);
	CHECK_INTEQ(r->n_hosts, 1);
	CHECK_STREQ(r->hosts[0].hostname, h->peer);
	CHECK(wgm_key_equal(&r->hosts[0].key, &hosts[h == &hosts[0] ? 1 : 0].pk));
	CHECK_INTEQ(r->hosts[0].asn, h->peer_asn);
	CHECK_INTEQ(r->hosts[0].localport, 31000 + h->peer_octet);
	CHECK_INTEQ(r->hosts[0].remoteport, 31000 + h->octet);
	CHECK_STREQ(r->hosts[0].remote, h->peer_ipv4);
}

static void test_deploy_records(void)
{
	for (size_t i = 0; i < 2; i++) {
		static struct wgm_deploy_record r, back;
		struct wgm_strv lines = { 0 }, ours = { 0 };
		struct wgm_buf payload = { 0 }, plain = { 0 }, yaml = { 0 }, sealed = { 0 };
		struct wgm_buf again = { 0 };
		char rel[256], err[256] = "";
		const char *serial_at, *remote_at, *hosts_at;

		snprintf(rel, sizeof(rel), "records/%s.wg.example.com.txt", hosts[i].uuid);
		fixture_record(dir, rel, &lines);
		CHECK_INTEQ(wgm_txt_decode((const char *const *)lines.v, lines.n, &payload, err,
					   sizeof(err)), 0);
		CHECK_INTEQ(wgm_deploy_open(payload.p, payload.len, &hosts[i].sk, &site_pk, &r, err,
					    sizeof(err)), 0);
		check_deploy(&r, &hosts[i]);

		/* Our YAML of the decoded record is byte for byte what 1.0 sealed, after the kind
		 * line 1.0 reads past. */
		CHECK(!r.has_kind);
		CHECK_INTEQ(wgm_box_open(payload.p, payload.len, &hosts[i].sk, &site_pk, &plain, err,
					 sizeof(err)), 0);
		CHECK_INTEQ(wgm_deploy_yaml_encode(&r, &yaml), 0);
		CHECK(!strncmp((const char *)yaml.p, "kind: deploy\n", 13));
		CHECK_STREQ((const char *)yaml.p + 13, (const char *)plain.p);

		/* seal -> TXT lines -> reassembled in reverse order -> open */
		r.has_serial = true;
		r.serial = 1764136800;
		CHECK_INTEQ(wgm_deploy_seal(&r, &site_sk, &hosts[i].pk, &sealed), 0);
		CHECK_INTEQ(wgm_txt_encode(sealed.p, sealed.len, &ours), 0);
		for (size_t a = 0, b = ours.n - 1; a < b; a++, b--) {
			char *t = ours.v[a];

			ours.v[a] = ours.v[b];
			ours.v[b] = t;
		}
		CHECK_INTEQ(wgm_txt_decode((const char *const *)ours.v, ours.n, &again, err,
					   sizeof(err)), 0);
		CHECK(again.len == sealed.len && !memcmp(again.p, sealed.p, sealed.len));
		CHECK_INTEQ(wgm_deploy_open(again.p, again.len, &hosts[i].sk, &site_pk, &back, err,
					    sizeof(err)), 0);
		CHECK(back.has_serial);
		CHECK_INTEQ(back.serial, 1764136800);
		back.has_serial = false;
		check_deploy(&back, &hosts[i]);

		/* serial sits after remote and before hosts */
		wgm_buf_reset(&yaml);
		CHECK_INTEQ(wgm_deploy_yaml_encode(&r, &yaml), 0);
		serial_at = strstr((const char *)yaml.p, "\nserial: 1764136800\n");
		remote_at = strstr((const char *)yaml.p, "\nremote: ");
		hosts_at = strstr((const char *)yaml.p, "\nhosts:\n");
		CHECK(serial_at && remote_at && hosts_at && remote_at < serial_at &&
		      serial_at < hosts_at);

		wgm_strv_free(&lines);
		wgm_strv_free(&ours);
		wgm_buf_free(&payload);
		wgm_buf_free(&plain);
		wgm_buf_free(&yaml);
		wgm_buf_free(&sealed);
		wgm_buf_free(&again);
	}
}

/* A full 255-host mesh: the largest record we promise survives the whole chain. */
static void test_largest_deploy(void)
{
	static struct wgm_deploy_record r, back;
	struct wgm_buf sealed = { 0 }, again = { 0 };
	struct wgm_strv lines = { 0 };
	char err[256] = "";

	memset(&r, 0, sizeof(r));
	r.asn = 4200000000U;
	strcpy(r.site, "mesh.example.com");
	r.octet = 255;
	r.portbase = 40000;
	strcpy(r.remote, "fd00:1:2::/48");
	r.n_hosts = 254;
	for (size_t i = 0; i < r.n_hosts; i++) {
		struct wgm_deploy_peer *p = &r.hosts[i];

		snprintf(p->hostname, sizeof(p->hostname), "node%zu.example.net", i + 1);
		randombytes_buf(p->key.b, sizeof(p->key.b));
		p->asn = 4200000001U + (uint32_t)i;
		p->localport = (uint16_t)(40000 + i + 1);
		p->remoteport = 40000 + 255;
		snprintf(p->remote, sizeof(p->remote), "198.51.100.%zu,2001:db8::%zx", i % 250 + 1,
			 i + 1);
	}
	CHECK_INTEQ(wgm_deploy_seal(&r, &site_sk, &hosts[0].pk, &sealed), 0);
	CHECK_INTEQ(wgm_txt_encode(sealed.p, sealed.len, &lines), 0);
	CHECK(lines.n <= WGM_TXT_MAX_PARTS);
	CHECK_INTEQ(wgm_txt_decode((const char *const *)lines.v, lines.n, &again, err,
				   sizeof(err)), 0);
	CHECK_INTEQ(wgm_deploy_open(again.p, again.len, &hosts[0].sk, &site_pk, &back, err,
				    sizeof(err)), 0);
	CHECK_INTEQ(back.n_hosts, 254);
	CHECK(!memcmp(&back.hosts[253], &r.hosts[253], sizeof(r.hosts[253])));
	fprintf(stderr, "255-host deploy record: %zu payload bytes, %zu TXT strings\n", sealed.len,
		lines.n);
	wgm_buf_free(&sealed);
	wgm_buf_free(&again);
	wgm_strv_free(&lines);
}

/* A registration and a deploy record share the box key: each is refused as the other. */
static void test_kinds(void)
{
	static struct wgm_deploy_record r;
	static const char body[] = "asn: 64512\nsite: wg.example.com\noctet: 1\nportbase: 31000\n"
				   "remote: fd42:7a3b:19c0::/48\nhosts: {}\n";
	const char *ours_reg = "kind: registration\nhostname: a.example.net\n"
			       "uuid: 6fc94b76-f857-4dce-942c-47df480cdda3\n";
	const char *old_reg = "hostname: a.example.net\nuuid: 6fc94b76-f857-4dce-942c-47df480cdda3\n"
			      "public_key_file: /etc/wireguard/lab_pub\n";
	char yaml[512], err[256] = "";

	CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)ours_reg, strlen(ours_reg), &r, err,
					   sizeof(err)), -EINVAL);
	CHECK(strstr(err, "'kind' is 'registration', not 'deploy'") != NULL);
	CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)old_reg, strlen(old_reg), &r, err,
					   sizeof(err)), -EINVAL);
	CHECK(strstr(err, "a registration replayed as a record") != NULL);
	snprintf(yaml, sizeof(yaml), "%sserial: 5\n", body);
	CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)yaml, strlen(yaml), &r, err,
					   sizeof(err)), -EINVAL);
	CHECK(strstr(err, "no 'kind: deploy'") != NULL);
	snprintf(yaml, sizeof(yaml), "kind: deploy\n%sserial: 5\n", body);
	CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)yaml, strlen(yaml), &r, err,
					   sizeof(err)), 0);
	CHECK(r.has_kind && r.has_serial && r.serial == 5);
	/* 1.0's: neither kind nor serial */
	CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)body, strlen(body), &r, err,
					   sizeof(err)), 0);
	CHECK(!r.has_kind && !r.has_serial);
	snprintf(yaml, sizeof(yaml), "kind: deployment\n%s", body);
	CHECK_INTEQ(wgm_deploy_yaml_decode((const uint8_t *)yaml, strlen(yaml), &r, err,
					   sizeof(err)), -EINVAL);
}

int main(int argc, char **argv)
{
	dir = fixture_dir(argc, argv);
	if (sodium_init() < 0)
		return 1;
	load_site_keys();
	test_site_record();
	test_registrations();
	test_deploy_records();
	test_largest_deploy();
	test_kinds();
	return check_exit();
}

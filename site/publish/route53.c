/* Publishing to Route53: ChangeResourceRecordSets requests signed by libcurl's AWS SigV4.
 * UPSERT replaces each TXT set; DELETE needs the set's exact current TTL and values, so those
 * are read first (ListResourceRecordSets) and copied back verbatim. */
#include "publish.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include <sodium.h>

#include "log.h"

#define R53_SIGV4 "aws:amz:us-east-1:route53"
#define R53_DEFAULT_ENDPOINT "https://route53.amazonaws.com"
#define R53_API "/2013-04-01/hostedzone/"
#define R53_XMLNS "https://route53.amazonaws.com/doc/2013-04-01/"
#define R53_REPLY_MAX (4 * 1024 * 1024)
#define R53_TIMEOUT_SEC 60L
/* Route53 limits per request; UPSERT counts each value twice. */
#define R53_MAX_RRS 1000
#define R53_MAX_VALUE_CHARS 32000

struct r53_ctx {
	CURL *curl;
	const struct wgm_route53 *cfg;
	char endpoint[256];  /* without a trailing slash */
	const char *zone_id; /* without "/hostedzone/" */
	const char *domain;
	char *err;
	size_t errlen;
};

struct r53_batch {
	struct wgm_buf changes; /* <Change> elements */
	size_t rrs, value_chars;
};

static int xml_escape(struct wgm_buf *b, const char *s)
{
	int ret = 0;

	for (; *s && !ret; s++) {
		switch (*s) {
		case '&': ret = wgm_buf_appendf(b, "&amp;"); break;
		case '<': ret = wgm_buf_appendf(b, "&lt;"); break;
		case '>': ret = wgm_buf_appendf(b, "&gt;"); break;
		case '"': ret = wgm_buf_appendf(b, "&quot;"); break;
		case '\'': ret = wgm_buf_appendf(b, "&apos;"); break;
		default: ret = wgm_buf_append(b, s, 1);
		}
	}
	return ret;
}

/* The replies are parsed here and only here: the text of the first <tag>...</tag> within
 * [p, end), tags unprefixed as Route53 writes them. NULL when absent. */
static const char *xml_element(const char *p, const char *end, const char *tag,
			       const char **content_end)
{
	char open[64], close[64];
	const char *s, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	s = memmem(p, (size_t)(end - p), open, strlen(open));
	if (!s)
		return NULL;
	s += strlen(open);
	e = memmem(s, (size_t)(end - s), close, strlen(close));
	if (!e)
		return NULL;
	*content_end = e;
	return s;
}

static size_t collect_reply(char *data, size_t size, size_t n, void *userdata)
{
	struct wgm_buf *b = userdata;

	if (b->len + size * n > R53_REPLY_MAX || wgm_buf_append(b, data, size * n))
		return 0;
	return size * n;
}

/* One line out of an ErrorResponse (or InvalidChangeBatch) body. */
static void explain_error(struct r53_ctx *c, const char *what, long status, const struct wgm_buf *reply)
{
	const char *body = (const char *)reply->p, *end = body ? body + reply->len : NULL;
	const char *code = NULL, *msg = NULL, *code_end = NULL, *msg_end = NULL;
	char detail[512] = "";

	if (body) {
		code = xml_element(body, end, "Code", &code_end);
		msg = xml_element(body, end, "Message", &msg_end);
	}
	if (code || msg) {
		snprintf(detail, sizeof(detail), ": %.*s%s%.*s", code ? (int)(code_end - code) : 0,
			 code ? code : "", code && msg ? ": " : "", msg ? (int)(msg_end - msg) : 0,
			 msg ? msg : "");
		for (char *d = detail; *d; d++)
			if (*d == '\n' || *d == '\r')
				*d = ' ';
	}
	snprintf(c->err, c->errlen, "Route53 %s for zone %s (hosted zone %s at %s) failed: HTTP %ld%s",
		 what, c->domain, c->zone_id, c->endpoint, status, detail);
}

/* GET or POST (body != NULL); reply holds the response body. Non-2xx is an error. */
static int r53_request(struct r53_ctx *c, const char *what, const char *url, const struct wgm_buf *body,
		       struct wgm_buf *reply)
{
	struct curl_slist *headers = NULL;
	char curl_err[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	wgm_buf_reset(reply);
	curl_easy_reset(c->curl);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c->curl, CURLOPT_AWS_SIGV4, R53_SIGV4);
	curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->cfg->access_key_id);
	curl_easy_setopt(c->curl, CURLOPT_PASSWORD, c->cfg->secret_access_key);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, R53_TIMEOUT_SEC);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, collect_reply);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, reply);
	if (body) {
		headers = curl_slist_append(NULL, "Content-Type: text/xml");
		if (!headers)
			return -ENOMEM;
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, (const char *)body->p);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
	}
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		snprintf(c->err, c->errlen, "Route53 %s for zone %s: cannot reach %s: %s", what,
			 c->domain, c->endpoint, curl_err[0] ? curl_err : curl_easy_strerror(rc));
		return -EHOSTUNREACH;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		explain_error(c, what, status, reply);
		return -EACCES;
	}
	return 0;
}

static int begin_change(struct wgm_buf *b, const char *action, const char *name, const char *ttl)
{
	int ret = wgm_buf_appendf(b, "<Change><Action>%s</Action><ResourceRecordSet><Name>", action);

	if (!ret)
		ret = xml_escape(b, name);
	if (!ret)
		ret = wgm_buf_appendf(b, ".</Name><Type>TXT</Type><TTL>%s</TTL><ResourceRecords>", ttl);
	return ret;
}

static int end_change(struct wgm_buf *b)
{
	return wgm_buf_appendf(b, "</ResourceRecords></ResourceRecordSet></Change>");
}

static int send_batch(struct r53_ctx *c, struct r53_batch *batch)
{
	struct wgm_buf body = { 0 }, reply = { 0 };
	char url[512];
	int ret;

	if (!batch->changes.len)
		return 0;
	snprintf(url, sizeof(url), "%s" R53_API "%s/rrset", c->endpoint, c->zone_id);
	ret = wgm_buf_appendf(&body,
			      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			      "<ChangeResourceRecordSetsRequest xmlns=\"" R53_XMLNS "\">"
			      "<ChangeBatch><Comment>wgmesh</Comment><Changes>");
	if (!ret)
		ret = wgm_buf_append(&body, batch->changes.p, batch->changes.len);
	if (!ret)
		ret = wgm_buf_appendf(&body, "</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>\n");
	if (!ret)
		ret = r53_request(c, "ChangeResourceRecordSets", url, &body, &reply);
	if (!ret)
		log_info("Route53: changed %zu records in hosted zone %s", batch->rrs, c->zone_id);
	wgm_buf_free(&body);
	wgm_buf_free(&reply);
	wgm_buf_reset(&batch->changes);
	batch->rrs = batch->value_chars = 0;
	return ret;
}

/* Adds one change, sending the batch first when the change would push it past a limit. */
static int add_change(struct r53_ctx *c, struct r53_batch *batch, const struct wgm_buf *change,
		      size_t rrs, size_t value_chars)
{
	int ret = 0;

	if (batch->rrs && (batch->rrs + rrs > R53_MAX_RRS ||
			   batch->value_chars + value_chars > R53_MAX_VALUE_CHARS))
		ret = send_batch(c, batch);
	if (!ret)
		ret = wgm_buf_append(&batch->changes, change->p, change->len);
	batch->rrs += rrs;
	batch->value_chars += value_chars;
	return ret;
}

static int upsert_set(struct r53_ctx *c, struct r53_batch *batch, const struct wgm_rrset *set)
{
	struct wgm_buf change = { 0 };
	size_t i, chars = 0;
	char ttl[16];
	int ret;

	snprintf(ttl, sizeof(ttl), "%d", WGM_PUBLISH_TTL);
	ret = begin_change(&change, "UPSERT", set->name, ttl);
	for (i = 0; !ret && i < set->txt.n; i++) {
		/* A TXT value is a quoted character-string; our strings hold no quote or backslash
		 * (base64 and digits), so quoting needs no inner escaping. */
		if (strpbrk(set->txt.v[i], "\"\\")) {
			snprintf(c->err, c->errlen, "TXT string for %s holds a quote or backslash", set->name);
			ret = -EINVAL;
			break;
		}
		ret = wgm_buf_appendf(&change, "<ResourceRecord><Value>\"");
		if (!ret)
			ret = xml_escape(&change, set->txt.v[i]);
		if (!ret)
			ret = wgm_buf_appendf(&change, "\"</Value></ResourceRecord>");
		chars += strlen(set->txt.v[i]) + 2;
	}
	if (!ret && (2 * set->txt.n > R53_MAX_RRS || 2 * chars > R53_MAX_VALUE_CHARS)) {
		snprintf(c->err, c->errlen,
			 "record set %s (%zu strings, %zu characters) exceeds what one Route53 UPSERT accepts (%d strings, %d characters): publish it with --rfc2136 or --zone-file",
			 set->name, set->txt.n, chars, R53_MAX_RRS / 2, R53_MAX_VALUE_CHARS / 2);
		ret = -EMSGSIZE;
	}
	if (!ret)
		ret = end_change(&change);
	if (!ret)
		ret = add_change(c, batch, &change, 2 * set->txt.n, 2 * chars);
	wgm_buf_free(&change);
	return ret;
}

/* The TXT set currently at name, as <ResourceRecord> elements copied verbatim, and its TTL.
 * *found is false when Route53 holds no such set. */
static int fetch_current(struct r53_ctx *c, const char *name, struct wgm_buf *records, char *ttl,
			 size_t ttllen, size_t *rrs, size_t *chars, bool *found)
{
	struct wgm_buf reply = { 0 };
	char url[1024], fq[260];
	char *qname;
	const char *set, *set_end, *v, *v_end, *p, *end;
	int ret;

	*found = false;
	*rrs = *chars = 0;
	snprintf(fq, sizeof(fq), "%s.", name);
	qname = curl_easy_escape(c->curl, fq, 0);
	if (!qname)
		return -ENOMEM;
	/* Parameters in SigV4's canonical (sorted) order: libcurl before 8.x signs the query as
	 * written, AWS sorts it, so only a sorted query signs the same for both. */
	snprintf(url, sizeof(url), "%s" R53_API "%s/rrset?maxitems=1&name=%s&type=TXT", c->endpoint,
		 c->zone_id, qname);
	curl_free(qname);
	ret = r53_request(c, "ListResourceRecordSets", url, NULL, &reply);
	if (ret)
		goto out;
	p = (const char *)reply.p;
	end = p + reply.len;
	set = xml_element(p, end, "ResourceRecordSet", &set_end);
	if (!set)
		goto out;
	/* The listing starts AT name but returns the next set when name has none. */
	v = xml_element(set, set_end, "Name", &v_end);
	if (!v || (size_t)(v_end - v) != strlen(fq) || strncasecmp(v, fq, strlen(fq)))
		goto out;
	v = xml_element(set, set_end, "Type", &v_end);
	if (!v || v_end - v != 3 || strncmp(v, "TXT", 3))
		goto out;
	v = xml_element(set, set_end, "TTL", &v_end);
	if (!v || v_end == v || (size_t)(v_end - v) >= ttllen || strspn(v, "0123456789") < (size_t)(v_end - v)) {
		snprintf(c->err, c->errlen, "Route53 listed %s without a numeric TTL", fq);
		ret = -EPROTO;
		goto out;
	}
	memcpy(ttl, v, (size_t)(v_end - v));
	ttl[v_end - v] = 0;
	for (p = set; (v = xml_element(p, set_end, "Value", &v_end)); p = v_end) {
		ret = wgm_buf_appendf(records, "<ResourceRecord><Value>%.*s</Value></ResourceRecord>",
				      (int)(v_end - v), v);
		if (ret)
			goto out;
		(*rrs)++;
		*chars += (size_t)(v_end - v);
	}
	*found = *rrs > 0;
out:
	wgm_buf_free(&reply);
	return ret;
}

static int delete_set(struct r53_ctx *c, struct r53_batch *batch, const char *name)
{
	struct wgm_buf change = { 0 }, records = { 0 };
	size_t rrs, chars;
	char ttl[16];
	bool found;
	int ret;

	ret = fetch_current(c, name, &records, ttl, sizeof(ttl), &rrs, &chars, &found);
	if (ret || !found) {
		if (!ret)
			log_info("Route53: no TXT set at %s, nothing to delete", name);
		goto out;
	}
	ret = begin_change(&change, "DELETE", name, ttl);
	if (!ret)
		ret = wgm_buf_append(&change, records.p, records.len);
	if (!ret)
		ret = end_change(&change);
	if (!ret)
		ret = add_change(c, batch, &change, rrs, chars);
out:
	wgm_buf_free(&change);
	wgm_buf_free(&records);
	return ret;
}

static int check_config(struct r53_ctx *c, const struct wgm_route53 *r53)
{
	const char *id = r53->zone_id;
	size_t n;

	if (!strncmp(id, "/hostedzone/", 12))
		id += 12;
	if (!id[0] || strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != strlen(id)) {
		snprintf(c->err, c->errlen,
			 "bad Route53 hosted zone id \"%s\": give the id from the console, like Z0123456789ABCDEFGHIJ",
			 r53->zone_id);
		return -EINVAL;
	}
	if (!r53->access_key_id[0] || !r53->secret_access_key[0] ||
	    strpbrk(r53->access_key_id, ":/ \t\n")) {
		snprintf(c->err, c->errlen,
			 "Route53 needs aws_access_key_id and aws_secret_access_key in the site file's global: section");
		return -EINVAL;
	}
	if (!r53->endpoint[0]) {
		snprintf(c->endpoint, sizeof(c->endpoint), "%s", R53_DEFAULT_ENDPOINT);
	} else if (strncmp(r53->endpoint, "https://", 8) && strncmp(r53->endpoint, "http://", 7)) {
		snprintf(c->err, c->errlen, "bad Route53 endpoint \"%s\": give an https:// URL",
			 r53->endpoint);
		return -EINVAL;
	} else {
		snprintf(c->endpoint, sizeof(c->endpoint), "%s", r53->endpoint);
	}
	c->zone_id = id;
	n = strlen(c->endpoint);
	while (n && c->endpoint[n - 1] == '/')
		c->endpoint[--n] = 0;
	return 0;
}

int wgm_publish_route53(const struct wgm_changeset *cs, const struct wgm_route53 *r53, char *err,
			size_t errlen)
{
	struct r53_ctx c = { .cfg = r53, .domain = cs->zone, .err = err, .errlen = errlen };
	struct r53_batch batch = { 0 };
	size_t i;
	int ret;

	ret = check_config(&c, r53);
	if (ret)
		return ret;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -ENOMEM;
	}
	c.curl = curl_easy_init();
	if (!c.curl) {
		snprintf(err, errlen, "cannot initialise libcurl");
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; !ret && i < cs->n_sets; i++)
		ret = upsert_set(&c, &batch, &cs->sets[i]);
	for (i = 0; !ret && i < cs->deletes.n; i++)
		ret = delete_set(&c, &batch, cs->deletes.v[i]);
	if (!ret)
		ret = send_batch(&c, &batch);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory building the Route53 request for zone %s", cs->zone);
out:
	wgm_buf_free(&batch.changes);
	if (c.curl)
		curl_easy_cleanup(c.curl);
	curl_global_cleanup();
	return ret;
}

/* Publishing through RFC 2136 dynamic update signed with TSIG (ldns), over TCP: deploy records
 * are several kilobytes, too big for one UDP datagram. One UPDATE per name, each deleting the
 * name's TXT RRset and adding the new RRs, so a server applies each set atomically. */
#include "publish.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ldns/ldns.h>
#include <sodium.h>

#include "log.h"
#include "tsigkey.h"

#define DNS_DEFAULT_PORT 53
#define UPDATE_TIMEOUT_SEC 10

/* TSIG error codes (RFC 8945) carried in the reply's TSIG RR. */
#define TSIG_BADSIG 16
#define TSIG_BADKEY 17
#define TSIG_BADTIME 18

struct update_ctx {
	ldns_resolver *res;
	const char *server;  /* as the user gave it, for messages */
	const char *keyfile;
	const struct wgm_tsig_key *key;
	char zone[256];      /* the zone the UPDATEs name (the site domain or a parent) */
	char *err;
	size_t errlen;
};

/* "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address. */
static int parse_server(const char *server, ldns_rdf **addr, uint16_t *port, char *err,
			size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *portstr = NULL, *h = server;
	size_t hlen;
	struct in6_addr a6;
	struct in_addr a4;

	if (server[0] == '[') {
		const char *close = strchr(server, ']');

		if (!close || (close[1] && close[1] != ':'))
			goto bad;
		h = server + 1;
		hlen = (size_t)(close - h);
		if (close[1] == ':')
			portstr = close + 2;
	} else if (strchr(server, ':') && strchr(server, ':') == strrchr(server, ':')) {
		hlen = (size_t)(strchr(server, ':') - server);
		portstr = strchr(server, ':') + 1;
	} else {
		hlen = strlen(server);
	}
	if (!hlen || hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = 0;
	*port = DNS_DEFAULT_PORT;
	if (portstr) {
		char *end;
		unsigned long p = strtoul(portstr, &end, 10);

		if (!*portstr || *end || !p || p > 65535)
			goto bad;
		*port = (uint16_t)p;
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		*addr = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_A, sizeof(a4), &a4);
	else if (inet_pton(AF_INET6, host, &a6) == 1)
		*addr = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_AAAA, sizeof(a6), &a6);
	else
		goto bad;
	return *addr ? 0 : -ENOMEM;
bad:
	snprintf(err, errlen, "bad DNS server \"%s\": give ADDR[:PORT] (an IP address, [V6]:PORT for IPv6)",
		 server);
	return -EINVAL;
}

static ldns_rdf *dname(const char *name)
{
	char fq[258];

	snprintf(fq, sizeof(fq), "%s.", name);
	return ldns_dname_new_frm_str(fq);
}

/* The class-ANY, TTL-0, empty RR that deletes an RRset (RFC 2136 2.5.2). */
static int push_delete(ldns_rr_list *list, const char *name)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *owner = dname(name);

	if (!rr || !owner)
		goto nomem;
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_ANY);
	ldns_rr_set_ttl(rr, 0);
	if (!ldns_rr_list_push_rr(list, rr))
		goto nomem_rr;
	return 0;
nomem:
	ldns_rdf_deep_free(owner);
nomem_rr:
	ldns_rr_free(rr);
	return -ENOMEM;
}

static int push_txt(ldns_rr_list *list, const char *name, const char *text)
{
	uint8_t wire[256];
	size_t len = strlen(text);
	ldns_rr *rr = NULL;
	ldns_rdf *owner = NULL, *rdata = NULL;

	if (len > 255)
		return -EMSGSIZE;
	/* A character-string: length byte then the bytes, so no text escaping is involved. */
	wire[0] = (uint8_t)len;
	memcpy(wire + 1, text, len);
	rr = ldns_rr_new();
	owner = dname(name);
	rdata = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR, len + 1, wire);
	if (!rr || !owner || !rdata)
		goto nomem;
	ldns_rr_set_owner(rr, owner);
	owner = NULL;
	ldns_rr_set_type(rr, LDNS_RR_TYPE_TXT);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, WGM_PUBLISH_TTL);
	if (!ldns_rr_push_rdf(rr, rdata))
		goto nomem;
	rdata = NULL;
	if (!ldns_rr_list_push_rr(list, rr))
		goto nomem;
	return 0;
nomem:
	ldns_rdf_deep_free(owner);
	ldns_rdf_deep_free(rdata);
	ldns_rr_free(rr);
	return -ENOMEM;
}

static const char *rcode_name(unsigned rcode)
{
	ldns_lookup_table *t = ldns_lookup_by_id(ldns_rcodes, (int)rcode);

	return t ? t->name : "unknown rcode";
}

/* The TSIG error field of a reply, 0 when absent. */
static unsigned reply_tsig_error(const ldns_pkt *reply)
{
	const ldns_rr *tsig = ldns_pkt_tsig(reply);

	if (!tsig || ldns_rr_rd_count(tsig) < 6)
		return 0;
	return ldns_rdf2native_int16(ldns_rr_rdf(tsig, 5));
}

static int explain_reply(const struct update_ctx *c, const char *what, const ldns_pkt *reply,
			 ldns_status status)
{
	unsigned rcode = ldns_pkt_get_rcode(reply), tsig_err = reply_tsig_error(reply);
	const char *key = c->key->name;

	switch (tsig_err) {
	case TSIG_BADSIG:
		snprintf(c->err, c->errlen,
			 "%s %s rejected the update of %s in zone %s: NOTAUTH/BADSIG: the secret in %s does not match the server's key %s",
			 "DNS server", c->server, what, c->zone, c->keyfile, key);
		return -EACCES;
	case TSIG_BADKEY:
		snprintf(c->err, c->errlen,
			 "DNS server %s rejected the update of %s in zone %s: NOTAUTH/BADKEY: the server has no key %s with algorithm %s (check the name and algorithm in %s)",
			 c->server, what, c->zone, key, c->key->algorithm, c->keyfile);
		return -EACCES;
	case TSIG_BADTIME:
		snprintf(c->err, c->errlen,
			 "DNS server %s rejected the update of %s in zone %s: NOTAUTH/BADTIME: this machine's clock and the server's differ by more than 5 minutes",
			 c->server, what, c->zone);
		return -EACCES;
	}
	switch (rcode) {
	case LDNS_RCODE_NOERROR:
		if (status == LDNS_STATUS_OK)
			return 0;
		snprintf(c->err, c->errlen,
			 "DNS server %s accepted the update of %s in zone %s but its reply's TSIG signature does not verify (%s): check key %s",
			 c->server, what, c->zone, ldns_get_errorstr_by_id(status), key);
		return -EBADMSG;
	case LDNS_RCODE_NOTAUTH:
		snprintf(c->err, c->errlen,
			 "DNS server %s answered NOTAUTH to the update of %s: it is not authoritative for zone %s, or does not accept key %s for it",
			 c->server, what, c->zone, key);
		return -EACCES;
	case LDNS_RCODE_REFUSED:
		snprintf(c->err, c->errlen,
			 "DNS server %s REFUSED the update of %s in zone %s: allow key %s to update that zone (its ACL / update-policy)",
			 c->server, what, c->zone, key);
		return -EACCES;
	case LDNS_RCODE_NOTZONE:
		snprintf(c->err, c->errlen,
			 "DNS server %s answered NOTZONE to the update of %s: the name is not inside zone %s",
			 c->server, what, c->zone);
		return -EINVAL;
	default:
		snprintf(c->err, c->errlen, "DNS server %s answered %s to the update of %s in zone %s",
			 c->server, rcode_name(rcode), what, c->zone);
		return -EPROTO;
	}
}

static int send_update(struct update_ctx *c, const char *what, const ldns_rr_list *updates)
{
	ldns_pkt *pkt, *reply = NULL;
	ldns_rdf *zone = dname(c->zone);
	ldns_status status;
	int ret;

	if (!zone)
		return -ENOMEM;
	pkt = ldns_update_pkt_new(zone, LDNS_RR_CLASS_IN, NULL, updates, NULL);
	if (!pkt) {
		ldns_rdf_deep_free(zone);
		return -ENOMEM;
	}
	ldns_pkt_set_rd(pkt, false);
	ldns_pkt_set_random_id(pkt);
	status = ldns_update_pkt_tsig_add(pkt, c->res);
	if (status != LDNS_STATUS_OK) {
		snprintf(c->err, c->errlen, "cannot sign the update of %s with TSIG key %s: %s", what,
			 c->key->name, ldns_get_errorstr_by_id(status));
		ret = -EINVAL;
		goto out;
	}
	/* ldns_send, not ldns_resolver_send_pkt: the latter drops a reply whose TSIG does not
	 * verify, and that reply carries the server's BADSIG/BADKEY verdict. */
	status = ldns_send(&reply, c->res, pkt);
	if (!reply) {
		snprintf(c->err, c->errlen,
			 "no reply from DNS server %s over TCP to the update of %s in zone %s: %s",
			 c->server, what, c->zone, ldns_get_errorstr_by_id(status));
		ret = -EHOSTUNREACH;
		goto out;
	}
	ret = explain_reply(c, what, reply, status);
	if (!ret)
		log_info("updated %s in zone %s at %s", what, c->zone, c->server);
out:
	ldns_pkt_free(reply);
	ldns_pkt_free(pkt);
	return ret;
}

static int replace_set(struct update_ctx *c, const struct wgm_rrset *set)
{
	ldns_rr_list *updates = ldns_rr_list_new();
	size_t i;
	int ret;

	if (!updates)
		return -ENOMEM;
	ret = push_delete(updates, set->name);
	for (i = 0; !ret && i < set->txt.n; i++)
		ret = push_txt(updates, set->name, set->txt.v[i]);
	if (!ret)
		ret = send_update(c, set->name, updates);
	ldns_rr_list_deep_free(updates);
	return ret;
}

static int delete_set(struct update_ctx *c, const char *name)
{
	ldns_rr_list *updates = ldns_rr_list_new();
	int ret;

	if (!updates)
		return -ENOMEM;
	ret = push_delete(updates, name);
	if (!ret)
		ret = send_update(c, name, updates);
	ldns_rr_list_deep_free(updates);
	return ret;
}

/* The site domain may live inside a parent zone (wg.example.com in example.com): the SOA
 * query's answer or authority section names the zone that holds it; the domain itself when the
 * server does not say. The query is unsigned (only updates need the key) and doubles as the
 * check that the server answers at all. */
static int find_zone(struct update_ctx *c, const char *domain)
{
	ldns_rdf *qname = dname(domain);
	ldns_pkt *query = NULL, *reply = NULL;
	const ldns_rr_list *sections[2];
	ldns_status status;
	size_t s, i;
	int ret = 0;

	snprintf(c->zone, sizeof(c->zone), "%s", domain);
	if (!qname)
		return -ENOMEM;
	query = ldns_pkt_query_new(qname, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	if (!query)
		return -ENOMEM;
	ldns_pkt_set_random_id(query);
	status = ldns_send(&reply, c->res, query);
	if (!reply) {
		snprintf(c->err, c->errlen,
			 "cannot reach DNS server %s over TCP: no answer to the SOA query for %s (%s): check the address and port",
			 c->server, domain, ldns_get_errorstr_by_id(status));
		ret = -EHOSTUNREACH;
		goto out;
	}
	sections[0] = ldns_pkt_answer(reply);
	sections[1] = ldns_pkt_authority(reply);
	for (s = 0; s < 2; s++) {
		for (i = 0; i < ldns_rr_list_rr_count(sections[s]); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(sections[s], i);
			char *owner;

			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_SOA)
				continue;
			owner = ldns_rdf2str(ldns_rr_owner(rr));
			if (owner) {
				size_t n = strlen(owner);

				if (n > 1 && owner[n - 1] == '.')
					owner[n - 1] = 0;
				if (n > 1 && strlen(owner) < sizeof(c->zone))
					snprintf(c->zone, sizeof(c->zone), "%s", owner);
				free(owner);
			}
			goto out;
		}
	}
out:
	ldns_pkt_free(reply);
	ldns_pkt_free(query);
	return ret;
}

/* Every name must be a valid DNS name inside the site domain; checked before anything is sent
 * so bad input changes nothing. */
static int check_name(const char *name, const char *domain, char *err, size_t errlen)
{
	size_t n = strlen(name), d = strlen(domain);
	ldns_rdf *rdf = n <= 253 ? dname(name) : NULL;

	ldns_rdf_deep_free(rdf);
	if (!rdf || !n) {
		snprintf(err, errlen, "bad record name \"%.64s\": not a DNS name", name);
		return -EINVAL;
	}
	if (n < d || strcasecmp(name + n - d, domain) || (n > d && name[n - d - 1] != '.')) {
		snprintf(err, errlen, "record name %s is outside the site domain %s", name, domain);
		return -EINVAL;
	}
	return 0;
}

int wgm_publish_rfc2136(const struct wgm_changeset *cs, const char *server, const char *keyfile,
			char *err, size_t errlen)
{
	struct update_ctx c = { .server = server, .keyfile = keyfile, .err = err, .errlen = errlen };
	struct wgm_tsig_key key;
	struct timeval timeout = { .tv_sec = UPDATE_TIMEOUT_SEC };
	ldns_rdf *addr = NULL;
	uint16_t port;
	size_t i;
	int ret;

	if (check_name(cs->zone, cs->zone, err, errlen))
		return -EINVAL;
	for (i = 0; i < cs->n_sets; i++)
		if (check_name(cs->sets[i].name, cs->zone, err, errlen))
			return -EINVAL;
	for (i = 0; i < cs->deletes.n; i++)
		if (check_name(cs->deletes.v[i], cs->zone, err, errlen))
			return -EINVAL;
	ret = wgm_tsig_key_load(keyfile, &key, err, errlen);
	if (ret)
		return ret;
	c.key = &key;
	ret = parse_server(server, &addr, &port, err, errlen);
	if (ret)
		goto out;
	c.res = ldns_resolver_new();
	if (!c.res || ldns_resolver_push_nameserver(c.res, addr) != LDNS_STATUS_OK) {
		ret = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	ldns_resolver_set_port(c.res, port);
	ldns_resolver_set_usevc(c.res, true);
	ldns_resolver_set_recursive(c.res, false);
	ldns_resolver_set_timeout(c.res, timeout);
	ldns_resolver_set_retry(c.res, 1);
	ldns_resolver_set_retrans(c.res, 1);
	ldns_resolver_set_tsig_keyname(c.res, key.name);
	ldns_resolver_set_tsig_algorithm(c.res, key.algorithm);
	ldns_resolver_set_tsig_keydata(c.res, key.secret);
	ret = find_zone(&c, cs->zone);
	for (i = 0; !ret && i < cs->n_sets; i++)
		ret = replace_set(&c, &cs->sets[i]);
	for (i = 0; !ret && i < cs->deletes.n; i++)
		ret = delete_set(&c, cs->deletes.v[i]);
	if (ret == -ENOMEM)
		snprintf(err, errlen, "out of memory building the updates for zone %s", c.zone);
out:
	if (c.res) {
		/* The resolver holds a copy of the secret: overwrite it before ldns frees it. */
		const char *copy = ldns_resolver_tsig_keydata(c.res);

		if (copy)
			sodium_memzero((void *)copy, strlen(copy));
		ldns_resolver_deep_free(c.res);
	}
	ldns_rdf_deep_free(addr);
	wgm_tsig_key_wipe(&key);
	return ret;
}

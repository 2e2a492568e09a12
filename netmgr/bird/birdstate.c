#include "birdstate.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "birdctl.h"
#include "buf.h"
#include "names.h"

/* One reply line: its code (a continuation line carries the code of the line it continues)
 * and its text with the code or the leading blank taken off. */
struct line {
	int code;
	char text[512];
};

/* Walks a raw reply: returns false at its end. */
static bool next_line(const char **pos, struct line *l)
{
	const char *p = *pos, *nl = strchr(p, '\n');
	size_t len, skip = 0;

	if (!nl)
		return false;
	len = (size_t)(nl - p);
	if (len >= 5 && isdigit((unsigned char)p[0]) && (p[4] == '-' || p[4] == ' ')) {
		l->code = atoi(p);
		skip = 5;
	} else if (len && p[0] == ' ') {
		skip = 1;
	}
	len -= skip;
	if (len >= sizeof(l->text))
		len = sizeof(l->text) - 1;
	memcpy(l->text, p + skip, len);
	l->text[len] = 0;
	*pos = nl + 1;
	return true;
}

static struct bird_link *link_add(struct bird_state *s, const char *name)
{
	struct bird_link *l;

	for (size_t i = 0; i < s->n_links; i++)
		if (!strcmp(s->links[i].name, name))
			return &s->links[i];
	if (s->n_links % 16 == 0) {
		l = realloc(s->links, (s->n_links + 16) * sizeof(*l));
		if (!l)
			return NULL;
		s->links = l;
	}
	l = &s->links[s->n_links++];
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", name);
	return l;
}

/* "  BGP state:          Established" -> "Established" when the key matches. */
static bool field(const char *text, const char *key, char *out, size_t outlen)
{
	size_t klen = strlen(key);

	while (*text == ' ' || *text == '\t')
		text++;
	if (strncmp(text, key, klen))
		return false;
	text += klen;
	while (*text == ' ' || *text == '\t')
		text++;
	snprintf(out, outlen, "%s", text);
	out[strcspn(out, "\r")] = 0;
	return true;
}

/* "show protocols all": a 1002 line heads each protocol, 1006 lines describe it. */
static int parse_protocols(const char *reply, struct bird_state *s)
{
	struct bird_link *cur = NULL;
	struct line l;
	char name[64], as[32];

	while (next_line(&reply, &l)) {
		if (l.code == 1002 && l.text[0] != ' ') {
			cur = NULL;
			char kind[16], table[32], state[16];
			int n = sscanf(l.text, "%63s %15s %31s %15s", name, kind, table, state);

			if (n >= 1 && wgm_is_mesh_wg_name(name) &&
			    strlen(name) < WGM_IFNAMSIZ && strstr(l.text, " BGP ") &&
			    !(cur = link_add(s, name)))
				return -ENOMEM;
			/* "name proto table state since info" */
			if (cur && n == 4)
				snprintf(cur->proto_state, sizeof(cur->proto_state), "%s", state);
		} else if (cur && l.code == 1006) {
			field(l.text, "BGP state:", cur->bgp_state, sizeof(cur->bgp_state));
			field(l.text, "Last error:", cur->last_error, sizeof(cur->last_error));
			if (field(l.text, "Neighbor AS:", as, sizeof(as)))
				cur->peer_as = (uint32_t)strtoul(as, NULL, 10);
		}
	}
	return 0;
}

/* The second-last column of a "show bfd sessions" row, the transmit interval in seconds with
 * three decimals ("0.010"), in ms; 0 when it does not read so. From the end: "since" is one
 * word or two, by the time format. */
static unsigned bfd_interval_ms(const char *row)
{
	const char *end = row + strlen(row), *p;
	unsigned sec = 0, ms = 0;
	int used = 0;

	while (end > row && end[-1] == ' ')
		end--;
	while (end > row && end[-1] != ' ') /* timeout */
		end--;
	while (end > row && end[-1] == ' ')
		end--;
	p = end;
	while (p > row && p[-1] != ' ')
		p--;
	if (end - p < 5 || end - p > 12 || sscanf(p, "%u.%3u%n", &sec, &ms, &used) != 2 ||
	    p + used != end || sec > 3600)
		return 0;
	return sec * 1000 + ms;
}

/* "show bfd sessions": rows of address, interface, state, since, interval, timeout. */
static int parse_bfd(const char *reply, struct bird_state *s)
{
	char addr[64], ifname[64], state[16];
	struct wgm_ip ip;
	struct line l;

	while (next_line(&reply, &l)) {
		struct bird_link *bl;

		if (l.code != 1020 || sscanf(l.text, "%63s %63s %15s", addr, ifname, state) != 3 ||
		    wgm_ip_parse(addr, &ip) < 0 || !wgm_is_mesh_wg_name(ifname) ||
		    strlen(ifname) >= WGM_IFNAMSIZ)
			continue;
		if (!(bl = link_add(s, ifname)))
			return -ENOMEM;
		snprintf(bl->bfd_state, sizeof(bl->bfd_state), "%s", state);
		bl->bfd_interval_ms = bfd_interval_ms(l.text);
	}
	return 0;
}

/* "show route where source = RTS_BGP": a net's first route line starts with the prefix, its
 * further routes' lines with blanks, and "via" lines with a tab. A route line is
 * "[<prefix>] <dest> [<protocol> <since>...]< *>? (<preference>) [AS<origin><origin code>]",
 * " *" marking the best. */
static int parse_routes(const char *reply, struct bird_state *s)
{
	struct wgm_prefix net = { 0 };
	bool have_net = false;
	char prefix[64], proto[64];
	struct line l;

	while (next_line(&reply, &l)) {
		struct bird_route r = { 0 };
		const char *as, *bracket, *close;

		if (l.code != 1007 || l.text[0] == '\t')
			continue;
		if (l.text[0] != ' ') {
			have_net = sscanf(l.text, "%63s", prefix) == 1 &&
				   wgm_prefix_parse(prefix, &net) == 0;
		}
		if (!have_net || !(bracket = strchr(l.text, '[')) ||
		    !(close = strchr(bracket, ']')) || !(as = strstr(close, "[AS")))
			continue;
		r.dst = net;
		r.origin_as = (uint32_t)strtoul(as + 3, NULL, 10);
		r.primary = !strncmp(close, "] *", 3);
		if (sscanf(bracket + 1, "%63[^] ]", proto) == 1 && wgm_is_mesh_wg_name(proto) &&
		    strlen(proto) < WGM_IFNAMSIZ)
			snprintf(r.proto, sizeof(r.proto), "%s", proto);
		if (s->n_routes % 64 == 0) {
			struct bird_route *n = realloc(s->routes, (s->n_routes + 64) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			s->routes = n;
		}
		s->routes[s->n_routes++] = r;
	}
	return 0;
}

int bird_state_parse(const char *protocols, const char *bfd, const char *routes,
		     struct bird_state *s)
{
	int ret = 0;

	memset(s, 0, sizeof(*s));
	if (protocols)
		ret = parse_protocols(protocols, s);
	if (!ret && bfd)
		ret = parse_bfd(bfd, s);
	if (!ret && routes)
		ret = parse_routes(routes, s);
	if (ret)
		bird_state_free(s);
	return ret;
}

enum { ASK_PROTOCOLS = 1, ASK_BFD = 2, ASK_ROUTES = 4 };

static int read_some(const char *sock, unsigned which, struct bird_state *s, char *err,
		     size_t errlen)
{
	static const struct {
		unsigned bit;
		const char *cmd;
		int (*parse)(const char *reply, struct bird_state *s);
	} asks[] = {
		{ ASK_PROTOCOLS, "show protocols all", parse_protocols },
		{ ASK_BFD, "show bfd sessions", parse_bfd },
		{ ASK_ROUTES, "show route where source = RTS_BGP", parse_routes },
	};
	int ret = 0;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]) && !ret; i++) {
		struct wgm_buf reply = { 0 };

		if (!(which & asks[i].bit))
			continue;
		ret = birdctl_command(sock, asks[i].cmd, &reply, err, errlen);
		if (!ret && reply.p)
			ret = asks[i].parse((const char *)reply.p, s);
		if (ret == -ENOMEM)
			snprintf(err, errlen, "out of memory reading BIRD's \"%s\"", asks[i].cmd);
		wgm_buf_free(&reply);
	}
	if (ret)
		bird_state_free(s);
	return ret;
}

int bird_state_read(const char *sock, struct bird_state *s, char *err, size_t errlen)
{
	return read_some(sock, ASK_PROTOCOLS | ASK_BFD | ASK_ROUTES, s, err, errlen);
}

int bird_state_read_bfd(const char *sock, struct bird_state *s, char *err, size_t errlen)
{
	return read_some(sock, ASK_BFD, s, err, errlen);
}

const struct bird_link *bird_state_link(const struct bird_state *s, const char *name)
{
	for (size_t i = 0; i < s->n_links; i++)
		if (!strcmp(s->links[i].name, name))
			return &s->links[i];
	return NULL;
}

void bird_state_free(struct bird_state *s)
{
	free(s->links);
	free(s->routes);
	memset(s, 0, sizeof(*s));
}

#include "view.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

static int failed(int ret, const struct nl_err *e, const char *what, const char *netns, char *err,
		  size_t errlen)
{
	char why[300];

	snprintf(err, errlen, "%s %s: %s", what, netns, nl_err_str(e, ret, why, sizeof(why)));
	return ret;
}

int mesh_view_open_private(const char *netns, struct mesh_view *v, char *err, size_t errlen)
{
	struct nl_err nle = { 0 };
	int ret;

	v->priv_fd = netns_open(netns);
	if (v->priv_fd < 0)
		return failed(v->priv_fd, NULL, "opening namespace", netns, err, errlen);
	ret = nlconn_open(&v->priv, v->priv_fd, &nle);
	if (ret == 0)
		ret = actual_read(&v->priv, &v->a_priv);
	if (ret < 0)
		return failed(ret, &nle, "reading over netlink in namespace", netns, err, errlen);
	return 0;
}

int mesh_view_open(const char *netns, struct mesh_view *v, char *err, size_t errlen)
{
	struct nl_err nle = { 0 };
	int ret;

	memset(v, 0, sizeof(*v));
	v->priv_fd = -1;
	v->self_fd = netns_open_self();
	if (v->self_fd < 0)
		return failed(v->self_fd, NULL, "opening our own namespace, not", netns, err, errlen);
	ret = nlconn_open(&v->under, -1, &nle);
	if (ret == 0)
		ret = actual_read(&v->under, &v->a_under);
	if (ret < 0)
		return failed(ret, &nle, "reading the underlay over netlink, not", netns, err, errlen);
	if (!netns_exists(netns))
		return 0;
	return mesh_view_open_private(netns, v, err, errlen);
}

int mesh_view_reread(const char *netns, struct mesh_view *v, char *err, size_t errlen)
{
	mesh_view_close(v);
	return mesh_view_open(netns, v, err, errlen);
}

void mesh_view_move(struct mesh_view *to, struct mesh_view *from)
{
	*to = *from;
	*from = MESH_VIEW_CLOSED;
}

void mesh_view_close(struct mesh_view *v)
{
	nlconn_close(&v->under);
	nlconn_close(&v->priv);
	actual_free(&v->a_under);
	actual_free(&v->a_priv);
	if (v->self_fd >= 0)
		close(v->self_fd);
	if (v->priv_fd >= 0)
		close(v->priv_fd);
	v->self_fd = v->priv_fd = -1;
}

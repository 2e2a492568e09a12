#include "view.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"

static int failed(int ret, const char *what, const char *netns, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s %s: %s%s%s", what, netns, strerror(-ret),
		 *link_last_error() ? " / " : "", link_last_error());
	return ret;
}

int mesh_view_open_private(const char *netns, struct mesh_view *v, char *err, size_t errlen)
{
	int ret;

	v->priv_fd = netns_open(netns);
	if (v->priv_fd < 0)
		return failed(v->priv_fd, "opening namespace", netns, err, errlen);
	ret = nlconn_open(&v->priv, v->priv_fd);
	if (ret == 0)
		ret = actual_read(&v->priv, &v->a_priv);
	if (ret < 0)
		return failed(ret, "reading over netlink in namespace", netns, err, errlen);
	return 0;
}

int mesh_view_open(const char *netns, struct mesh_view *v, char *err, size_t errlen)
{
	int ret;

	memset(v, 0, sizeof(*v));
	v->priv_fd = -1;
	v->self_fd = netns_open_self();
	if (v->self_fd < 0)
		return failed(v->self_fd, "opening our own namespace, not", netns, err, errlen);
	ret = nlconn_open(&v->under, -1);
	if (ret == 0)
		ret = actual_read(&v->under, &v->a_under);
	if (ret < 0)
		return failed(ret, "reading the underlay over netlink, not", netns, err, errlen);
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

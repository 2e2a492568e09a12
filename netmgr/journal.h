/* The journal of one apply: every change to the kernel is recorded with what undoes it, so a
 * failure at any later step (in the reconciler or after it) gives the node back as it was.
 * A slot is reserved before the kernel is touched and filled after, which cannot fail:
 *
 *	ret = journal_reserve(j);      may fail: nothing changed yet
 *	... change the kernel ...
 *	journal_push(j, &entry);       cannot fail
 *
 * Device snapshots hold private keys: in memory only, wiped by journal_free. */
#ifndef NETMGR_JOURNAL_H
#define NETMGR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "plan.h"
#include "view.h"
#include "wgdev.h"

enum jkind {
	J_NETNS,    /* made a namespace: delete it */
	J_LINK,     /* made a link (the veth): delete it by name */
	J_MOVED_IN, /* moved a link into the private namespace: move it back, restore its state */
	J_ADDR,     /* added an address: delete it */
	J_ROUTE,    /* added a route: delete it */
	J_SYSCTL,   /* wrote a sysctl: write the old value back */
	J_WGDEV,    /* made a WireGuard device: destroy it */
	J_WGSET,    /* configured an existing device: set its whole old configuration again */
	J_UP,       /* set a link up: set it down */
};

/* What a link moved into the private namespace had in the underlay; moving it back loses
 * addresses and the routes through it, so they are put back from here. */
struct jmoved {
	bool was_up;
	size_t n_addrs, n_routes;
	struct wgm_prefix *addrs;
	struct jroute {
		struct wgm_prefix dst;
		struct wgm_ip gw;
	} *routes;
};

struct jentry {
	enum jkind kind;
	bool in_priv; /* which namespace the object is in */
	int ifindex;
	char name[64];       /* link, namespace or device name; J_SYSCTL: the key */
	struct wgm_prefix p; /* J_ADDR, J_ROUTE */
	struct wgm_ip gw;    /* J_ROUTE */
	char old[32];        /* J_SYSCTL: the value before */
	struct jmoved *moved;   /* J_MOVED_IN, owned */
	struct wgdev_config dev; /* J_WGSET: the device before, private key included; owned */
};

struct journal {
	enum wgdev_backend be;
	size_t n, cap;
	struct jentry *e;
};

/* Makes room for one more entry: 0 or -ENOMEM (then nothing may be changed). */
int journal_reserve(struct journal *j);
/* Records a change after journal_reserve made room; takes ownership of e's moved and dev. */
void journal_push(struct journal *j, const struct jentry *e);
/* The entry pushed last (to follow an object that moved), NULL when empty. */
struct jentry *journal_last(struct journal *j);

/* Reads what a link has in the underlay before it moves out: its up flag, addresses
 * (link-local ones come back by themselves) and main-table gateway routes through it. */
int journal_save_link(const struct actual_ns *a, int ifindex, struct jmoved **out);
void journal_moved_free(struct jmoved *m);

/* Undoes every entry, newest first; each is tried. Returns the first failure, 0 when all
 * were undone; *undone counts the entries. The journal is empty afterwards. */
int journal_undo(struct journal *j, struct mesh_view *v, size_t *undone);
/* Forgets the journal (the run succeeded, or was undone): wipes keys, frees. */
void journal_free(struct journal *j);

#endif

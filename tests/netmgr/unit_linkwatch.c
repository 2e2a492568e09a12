/* Flap counting and BFD damping (netmgr/bird/linkwatch.c, bfddamp.c) on replies of a real
 * BIRD 2 (tests/fixtures/bird: the link Up, then Down after it went deaf), with the clock
 * given: what counts as a flap, when a link slows and when it speeds up again, and the file
 * that keeps it, bad lines refused by name. No BIRD runs here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "bfddamp.h"
#include "birdstate.h"
#include "check.h"
#include "fixture_read.h"
#include "linkwatch.h"
#include "log.h"

static const char *dir;
static char *up_bfd, *down_bfd;

static char *fixture(const char *name)
{
	return fixture_read(dir, name, NULL);
}

/* One look at a reply (NULL: BIRD shows no BFD session at all). */
static int look(struct link_watch *w, const char *reply, time_t now, unsigned base)
{
	struct bird_state s;
	int what;

	CHECK_INTEQ(bird_state_parse(NULL, reply ? reply : "0000 \n", NULL, &s), 0);
	what = linkwatch_observe(w, &s, now, base);
	bird_state_free(&s);
	return what;
}

static void test_interval_column(void)
{
	struct bird_state s;

	CHECK_INTEQ(bird_state_parse(NULL, up_bfd, NULL, &s), 0);
	CHECK_INTEQ(s.n_links, 1);
	CHECK_STREQ(s.links[0].bfd_state, "Up");
	CHECK_INTEQ(s.links[0].bfd_interval_ms, 50);
	bird_state_free(&s);
	CHECK_INTEQ(bird_state_parse(NULL, down_bfd, NULL, &s), 0);
	CHECK_INTEQ(s.links[0].bfd_interval_ms, 1000); /* a Down session sends at the idle 1 s */
	bird_state_free(&s);
	/* "since" in two words (a date format) still leaves interval second-last */
	CHECK_INTEQ(bird_state_parse(NULL,
				     "1020-bfd1:\n fd00::2   wg2   Up   2026-12-04 04:02:44   0.010    0.050\n0000 \n",
				     NULL, &s), 0);
	CHECK_INTEQ(s.links[0].bfd_interval_ms, 10);
	bird_state_free(&s);
	CHECK_INTEQ(bird_state_parse(NULL, "1020-bfd1:\n fd00::2   wg2   Up   04:02:44   fast   0.050\n0000 \n",
				     NULL, &s), 0);
	CHECK_INTEQ(s.links[0].bfd_interval_ms, 0);
	bird_state_free(&s);
}

/* Up -> Down counts once; staying Down does not count again; a first look at Down is no flap
 * (run may start while a link is down); a session BIRD removed and made again is no flap. */
static void test_counting(void)
{
	struct link_watch w = { 0 };

	CHECK_INTEQ(look(&w, down_bfd, 1000, 10), 0);
	CHECK_INTEQ(look(&w, up_bfd, 1001, 10), 0);
	CHECK_INTEQ(look(&w, down_bfd, 1002, 10), LINKWATCH_COUNTED);
	CHECK_INTEQ(look(&w, down_bfd, 1003, 10), 0);
	CHECK_INTEQ(w.n, 1);
	CHECK_STREQ(w.links[0].name, "wg2");
	CHECK_INTEQ(w.links[0].flaps, 1);
	CHECK_INTEQ(w.links[0].last_flap, 1002);
	CHECK_INTEQ(w.links[0].level, 0); /* a lone flap (a real cut) slows nothing */
	CHECK_INTEQ(look(&w, up_bfd, 2000, 10), 0);
	CHECK_INTEQ(look(&w, NULL, 2001, 10), 0); /* removed: BGP ended with a Cease */
	CHECK_INTEQ(look(&w, down_bfd, 2002, 10), 0);
	CHECK_INTEQ(w.links[0].flaps, 1);
}

/* A second flap within the window doubles the interval, up to 16x; quiet halves it again. */
static void test_damping(void)
{
	struct link_watch w = { 0 };
	time_t t = 5000;

	look(&w, up_bfd, t, 10);
	CHECK_INTEQ(look(&w, down_bfd, t += 1, 10), LINKWATCH_COUNTED);
	look(&w, up_bfd, t += 5, 10);
	CHECK_INTEQ(look(&w, down_bfd, t += 60, 10), LINKWATCH_COUNTED | LINKWATCH_RETIMED);
	CHECK_INTEQ(w.links[0].level, 1);
	CHECK_INTEQ(bfddamp_interval(10, w.links[0].level), 20);
	for (int i = 0; i < 6; i++) {
		look(&w, up_bfd, t += 5, 10);
		look(&w, down_bfd, t += 5, 10);
	}
	CHECK_INTEQ(w.links[0].level, BFDDAMP_MAX_LEVEL);
	CHECK_INTEQ(bfddamp_interval(10, w.links[0].level), 160);
	CHECK_INTEQ(w.links[0].flaps, 8);
	/* two flaps further apart than the window slow nothing */
	struct link_watch far = { 0 };
	look(&far, up_bfd, 100, 10);
	look(&far, down_bfd, 101, 10);
	look(&far, up_bfd, 102, 10);
	CHECK_INTEQ(look(&far, down_bfd, 102 + BFDDAMP_WINDOW_S, 10), LINKWATCH_COUNTED);
	CHECK_INTEQ(far.links[0].level, 0);
	/* quiet: one level down per BFDDAMP_QUIET_S, measured from the last flap or level move */
	look(&w, up_bfd, t += 1, 10);
	CHECK_INTEQ(look(&w, up_bfd, t + BFDDAMP_QUIET_S - 20, 10), 0);
	CHECK_INTEQ(look(&w, up_bfd, t += BFDDAMP_QUIET_S, 10), LINKWATCH_COUNTED | LINKWATCH_RETIMED);
	CHECK_INTEQ(w.links[0].level, BFDDAMP_MAX_LEVEL - 1);
	CHECK_INTEQ(look(&w, up_bfd, t += 1, 10), 0);
	for (int i = 0; i < BFDDAMP_MAX_LEVEL; i++)
		look(&w, up_bfd, t += BFDDAMP_QUIET_S, 10);
	CHECK_INTEQ(w.links[0].level, 0);
	/* a clock set back opens no window and ends no quiet time */
	struct link_flaps back = { .last_flap = 9000, .level = 2, .level_changed = 9000 };
	CHECK(!bfddamp_on_flap(&back, 8000, 10));
	CHECK(!bfddamp_on_quiet(&back, 8000));
	/* never past the product's maximum */
	CHECK_INTEQ(bfddamp_interval(5000, 4), 10000);
	struct link_flaps slow = { .last_flap = 100, .level = 1, .level_changed = 100 };
	CHECK(!bfddamp_on_flap(&slow, 110, 5000));
	CHECK_INTEQ(bfddamp_interval(0, 0), WGM_BFD_INTERVAL_MS_DEFAULT);
}

static void test_file(const char *tmp)
{
	struct link_watch w = { 0 }, back;
	char err[512] = "", path[4096];
	FILE *f;

	CHECK_INTEQ(linkwatch_load(tmp, "mesh.example.com", &back, err, sizeof(err)), 0);
	CHECK_INTEQ(back.n, 0); /* none yet: an empty watch */
	look(&w, up_bfd, 100, 10);
	look(&w, down_bfd, 101, 10);
	look(&w, up_bfd, 102, 10);
	look(&w, down_bfd, 103, 10);
	CHECK_INTEQ(linkwatch_save(tmp, "mesh.example.com", &w), 0);
	CHECK_INTEQ(linkwatch_load(tmp, "mesh.example.com", &back, err, sizeof(err)), 0);
	CHECK_INTEQ(back.n, 1);
	CHECK_STREQ(back.links[0].name, "wg2");
	CHECK_INTEQ(back.links[0].flaps, 2);
	CHECK_INTEQ(back.links[0].last_flap, 103);
	CHECK_INTEQ(back.links[0].level, 1);
	CHECK_INTEQ(back.links[0].level_changed, 103);

	static const char *const bad[] = {
		"wg2 flaps 2 last 103 level 9 changed 103\n",      /* level past the maximum */
		"eth0 flaps 2 last 103 level 0 changed 103\n",     /* not a mesh link */
		"wg2 flaps -2 last 103 level 0 changed 103\n",     /* a sign */
		"wg2 flaps 2 last 103 level 0\n",                  /* cut short */
		"wg2 flaps 2 last 103 level 0 changed 103 more\n", /* trailing words */
		"wg2 flaps 1 last 1 level 0 changed 1\nwg2 flaps 1 last 1 level 0 changed 1\n",
	};
	snprintf(path, sizeof(path), "%s/mesh.example.com.flaps", tmp);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (!f)
			return;
		fputs(bad[i], f);
		fclose(f);
		CHECK_FAILS_NAMING(linkwatch_load(tmp, "mesh.example.com", &back, err, sizeof(err)), 0, err,
				   path);
		CHECK(strstr(err, "remove the file") != NULL);
		CHECK_INTEQ(back.n, 0);
	}
	unlink(path);
	CHECK_INTEQ(linkwatch_load(tmp, "../x", &back, err, sizeof(err)), -EINVAL);
}

int main(int argc, char **argv)
{
	char tmp[] = "/tmp/wgm-linkwatch.XXXXXX";

	if (argc != 2) {
		fprintf(stderr, "usage: %s FIXTURE_DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	wgm_log_init("unit_linkwatch");
	up_bfd = fixture("up-a.bfd");
	down_bfd = fixture("down-a.bfd");
	if (!mkdtemp(tmp))
		return 1;
	test_interval_column();
	test_counting();
	test_damping();
	test_file(tmp);
	rmdir(tmp);
	free(up_bfd);
	free(down_bfd);
	return check_exit();
}

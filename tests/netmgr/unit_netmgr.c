/* Unprivileged checks of the manager's pure parts: namespace name validation (the names a
 * node builds are tests/sitemodel/test_names.c's), endpoint text (IPv6 bracketed), serial
 * replay refusal. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "desired.h"
#include "log.h"
#include "netns.h"
#include "serial.h"

static void test_netns_names(void)
{
	char err[128];

	CHECK_INTEQ(netns_name_valid("lab", err, sizeof(err)), 0);
	CHECK_INTEQ(netns_name_valid("n1-lab.x_y", err, sizeof(err)), 0);
	CHECK_INTEQ(netns_name_valid("", err, sizeof(err)), -EINVAL);
	CHECK_INTEQ(netns_name_valid("..", err, sizeof(err)), -EINVAL);
	CHECK_INTEQ(netns_name_valid("a/b", err, sizeof(err)), -EINVAL);
	CHECK_INTEQ(netns_name_valid("a b", err, sizeof(err)), -EINVAL);
}

static void test_endpoints(void)
{
	struct sockaddr_storage a = { 0 }, b = { 0 };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&b;
	char out[80];

	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(21101);
	inet_pton(AF_INET6, "2001:db8::2", &s6->sin6_addr);
	sockaddr_format(&a, out, sizeof(out));
	CHECK_STREQ(out, "[2001:db8::2]:21101");
	s4->sin_family = AF_INET;
	s4->sin_port = htons(21101);
	inet_pton(AF_INET, "198.51.100.2", &s4->sin_addr);
	sockaddr_format(&b, out, sizeof(out));
	CHECK_STREQ(out, "198.51.100.2:21101");
	CHECK(!sockaddr_equal(&a, &b));
	CHECK(sockaddr_equal(&a, &a));
}

static void test_serial(void)
{
	char dir[] = "/tmp/wgm-serial.XXXXXX", err[256], path[64];
	uint8_t one[SERIAL_DIGEST_LEN] = { 1 }, two[SERIAL_DIGEST_LEN] = { 2 };
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/mesh.test.serial", dir);
	CHECK_INTEQ(serial_check(dir, "mesh.test", true, 100, one, err, sizeof(err)), 0);
	CHECK_INTEQ(serial_store(dir, "mesh.test", 100, one), 0);
	CHECK_INTEQ(serial_check(dir, "mesh.test", true, 100, one, err, sizeof(err)), 0);
	/* the same serial with other content: a swapped record */
	CHECK_FAILS_NAMING(serial_check(dir, "mesh.test", true, 100, two, err, sizeof(err)), -ESTALE, err,
			   "content differs");
	CHECK_INTEQ(serial_check(dir, "mesh.test", true, 101, two, err, sizeof(err)), 0);
	CHECK_FAILS_NAMING(serial_check(dir, "mesh.test", true, 99, one, err, sizeof(err)), -ESTALE, err, "99");
	CHECK(strstr(err, "100"));
	/* a floor the operator wrote (a number alone) is honoured, any content at it accepted */
	CHECK((f = fopen(path, "w")) != NULL);
	fputs("500\n", f);
	fclose(f);
	CHECK_INTEQ(serial_check(dir, "mesh.test", true, 499, one, err, sizeof(err)), -ESTALE);
	CHECK_INTEQ(serial_check(dir, "mesh.test", true, 500, two, err, sizeof(err)), 0);
	CHECK((f = fopen(path, "w")) != NULL);
	fputs("500 zz\n", f);
	fclose(f);
	CHECK_INTEQ(serial_check(dir, "mesh.test", true, 600, one, err, sizeof(err)), -EINVAL);
	CHECK_INTEQ(serial_store(dir, "mesh.test", 100, one), 0);
	snprintf(path, sizeof(path), "%s/mesh.test.digest", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/mesh.test.serial", dir);
	/* a 1.0 record has no serial: refused once a serial is stored, naming it and the way back */
	CHECK_FAILS_NAMING(serial_check(dir, "mesh.test", false, 0, one, err, sizeof(err)), -ESTALE, err, path);
	CHECK(strstr(err, "no serial") && strstr(err, "100"));
	/* the deliberate way back: without the stored serial it is accepted */
	unlink(path);
	CHECK_INTEQ(serial_check(dir, "mesh.test", false, 0, one, err, sizeof(err)), 0);
	rmdir(dir);
}

int main(void)
{
	wgm_log_threshold = WGM_LOG_ERR;
	test_netns_names();
	test_endpoints();
	test_serial();
	return check_exit();
}

/* Test helper: a registration anyone could make, since it is sealed only to the public site
 * key: a fresh host key, and the uuid, host name, endpoints and public_key_file the caller
 * gives (control bytes and all). Prints the message as wghost does, without the prefix. With
 * HOST_PRIVATE_KEY_FILE, sealed with that key instead (a node's own registration).
 * Usage: forge_registration SITE_PUBLIC_KEY_B64 UUID HOSTNAME LOCAL_IPV4 PUBLIC_KEY_FILE
 *        [HOST_PRIVATE_KEY_FILE] */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "key.h"
#include "records.h"

int main(int argc, char **argv)
{
	struct wgm_registration r = { 0 };
	struct wgm_key site_pk, host_sk;
	struct wgm_buf msg = { 0 };

	if ((argc != 6 && argc != 7) || sodium_init() < 0 || wgm_key_from_b64(&site_pk, argv[1])) {
		fprintf(stderr, "usage: forge_registration SITE_PUBLIC_KEY UUID HOSTNAME LOCAL_IPV4 PUBLIC_KEY_FILE\n");
		return 2;
	}
	if (argc == 7 ? wgm_key_load(&host_sk, argv[6], false) || wgm_key_public(&host_sk, &r.public_key)
		      : wgm_key_generate(&host_sk, &r.public_key, true))
		return 1;
	snprintf(r.uuid, sizeof(r.uuid), "%s", argv[2]);
	snprintf(r.hostname, sizeof(r.hostname), "%s", argv[3]);
	snprintf(r.local_ipv4, sizeof(r.local_ipv4), "%s", argv[4]);
	snprintf(r.public_key_file, sizeof(r.public_key_file), "%s", argv[5]);
	snprintf(r.private_key_file, sizeof(r.private_key_file), "/etc/wireguard/lab_priv");
	if (wgm_registration_encode(&r, &host_sk, &site_pk, &msg))
		return 1;
	printf("%.*s\n", (int)msg.len, (const char *)msg.p);
	wgm_key_wipe(&host_sk);
	wgm_buf_free(&msg);
	return 0;
}

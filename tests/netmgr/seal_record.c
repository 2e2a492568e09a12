/* Test helper: seals any deploy YAML (even one the site tools would never write: clashing
 * octets, bad addresses) with a site key for a host, and prints the record file lines.
 *   seal_record SITE_PRIVATE_KEY_FILE HOST_PUBLIC_KEY_FILE YAML_FILE */
#include <stdio.h>
#include <stdlib.h>

#include "atomicfile.h"
#include "box.h"
#include "key.h"
#include "txtchunk.h"

int main(int argc, char **argv)
{
	struct wgm_key site_sk, host_pk;
	struct wgm_buf sealed = { 0 };
	struct wgm_strv lines = { 0 };
	char *yaml = NULL;
	size_t len;
	int ret;

	if (argc != 4) {
		fprintf(stderr, "usage: seal_record SITE_SK HOST_PK YAML\n");
		return 2;
	}
	ret = wgm_key_load(&site_sk, argv[1], false);
	if (ret == 0)
		ret = wgm_key_load(&host_pk, argv[2], false);
	if (ret == 0)
		ret = wgm_read_file(argv[3], 1 << 20, &yaml, &len);
	if (ret == 0)
		ret = wgm_box_seal((const uint8_t *)yaml, len, &site_sk, &host_pk, &sealed);
	if (ret == 0)
		ret = wgm_txt_encode(sealed.p, sealed.len, &lines);
	for (size_t i = 0; ret == 0 && i < lines.n; i++)
		printf("%s\n", lines.v[i]);
	if (ret < 0)
		fprintf(stderr, "seal_record: failed (%d)\n", ret);
	wgm_key_wipe(&site_sk);
	wgm_strv_free(&lines);
	wgm_buf_free(&sealed);
	free(yaml);
	return ret < 0 ? 1 : 0;
}

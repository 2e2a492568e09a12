/* libFuzzer target: the path a fetched deploy record takes in the manager: TXT reassembly and
 * base64 (wgm_txt_decode), the box (wgm_deploy_open) and the YAML (wgm_deploy_yaml_decode).
 * Input: the RRset as a record file, one TXT string per line. The keys are the 1.0 fixture's
 * (host alpha, site lab), so the fixture's record in the corpus opens and reaches the YAML;
 * the YAML decoder is also fed the reassembled payload directly, box or not. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "txtchunk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fixtures/wgmesh-1.0-2node: hosts/alpha.example.net/etc-wireguard/lab_priv, site publickey. */
#define ALPHA_PRIV "1W1DyH/v2r49qot8ZmLIKNG2MIL83/it3h+k2P8t9C4="
#define SITE_PUB "Lpo8ghMnakPuZbcGtR+4a0rCKoqkcoayQfmZ5Rbpe3Y="

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wgm_deploy_record rec;
	struct wgm_key host_sk, site_pk;
	struct wgm_strv rrs = { 0 };
	struct wgm_buf payload = { 0 };
	char err[256];
	size_t start = 0;

	if (wgm_key_from_b64(&host_sk, ALPHA_PRIV) || wgm_key_from_b64(&site_pk, SITE_PUB))
		abort();
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		if (wgm_strv_pushn(&rrs, (const char *)data + start, i - start))
			goto out;
		start = i + 1;
	}
	if (wgm_txt_decode((const char *const *)rrs.v, rrs.n, &payload, err, sizeof(err)))
		goto out;
	wgm_deploy_open(payload.p, payload.len, &host_sk, &site_pk, &rec, err, sizeof(err));
	wgm_deploy_yaml_decode(payload.p, payload.len, &rec, err, sizeof(err));
out:
	wgm_buf_free(&payload);
	wgm_strv_free(&rrs);
	return 0;
}

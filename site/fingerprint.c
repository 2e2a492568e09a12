#include "fingerprint.h"

#include <string.h>

#include <sodium.h>

void wgm_key_fingerprint(const struct wgm_key *public_key, char out[WGM_FINGERPRINT_LEN + 1])
{
	unsigned char hash[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(hash, public_key->b, sizeof(public_key->b));
	memcpy(out, "SHA256:", 7);
	sodium_bin2base64(out + 7, WGM_FINGERPRINT_LEN + 1 - 7, hash, sizeof(hash),
			  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

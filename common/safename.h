/* Names that end up in files we write and in programs we drive: BIRD strings and include
 * paths, nftables and Shorewall rules, namespace and interface names. */
#ifndef WGM_SAFENAME_H
#define WGM_SAFENAME_H

#include <stdbool.h>

/* Letters, digits and "_.-" only, not starting with a dot or a dash, so a name can neither
 * close a quote, walk out of a directory, nor read as an option or a negated interface
 * pattern ("-name"). NULL and "" are not safe. */
bool wgm_safe_name(const char *s);

#endif

/* Strings from outside (registrations, records, DNS, files) reach a terminal or a log only
 * through here: a control byte (0x00-0x1f, 0x7f) is shown as \xNN, so no value can move the
 * cursor, erase a line or start a new one. Every other byte is kept (UTF-8 included). */
#ifndef WGM_ESC_H
#define WGM_ESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* True when s holds a control byte. */
bool wgm_has_ctl(const char *s);
/* s escaped into out (always terminated, cut to fit); returns out, for use in printf
 * arguments. */
const char *wgm_esc(const char *s, char *out, size_t outlen);
/* Writes s escaped to f. */
void wgm_fputs_esc(const char *s, FILE *f);
/* printf to f with the whole formatted text escaped; a '\n' ending fmt is kept. */
void wgm_printf_esc(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

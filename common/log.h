/* Logging with 1.0's verbosity flags: -q errors only, default warnings+notices, -v info, -d debug.
 * Messages go to stderr, one line each, control bytes shown as \xNN (esc.h); never pass key
 * material to these. When stderr is the journal (systemd's JOURNAL_STREAM), each line starts
 * with its sd-daemon priority "<N>". */
#ifndef WGM_LOG_H
#define WGM_LOG_H

#include <stdbool.h>

enum wgm_log_level { WGM_LOG_ERR, WGM_LOG_WARN, WGM_LOG_NOTICE, WGM_LOG_INFO, WGM_LOG_DEBUG };

extern enum wgm_log_level wgm_log_threshold;
/* Program name printed in front of every line ("wgsite: ..."); also decides, once, whether
 * stderr is the journal (call it before a sandbox forbids fstat). */
void wgm_log_init(const char *progname);
bool wgm_log_stderr_is_journal(void);
/* 1.0's -q, -v and -d, for every program: the most verbose flag given wins, in whatever order
 * they come (-d -v and -v -d both debug; -q counts only alone). False, and nothing changed,
 * for any other option character. */
bool wgm_log_verbosity(int opt);
void wgm_log(enum wgm_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) wgm_log(WGM_LOG_ERR, __VA_ARGS__)
#define log_warn(...) wgm_log(WGM_LOG_WARN, __VA_ARGS__)
#define log_notice(...) wgm_log(WGM_LOG_NOTICE, __VA_ARGS__)
#define log_info(...) wgm_log(WGM_LOG_INFO, __VA_ARGS__)
#define log_debug(...) wgm_log(WGM_LOG_DEBUG, __VA_ARGS__)

#endif

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "esc.h"

enum wgm_log_level wgm_log_threshold = WGM_LOG_NOTICE;

bool wgm_log_verbosity(int opt)
{
	static bool given; /* a flag came before: only a more verbose one changes the threshold */
	enum wgm_log_level lvl;

	switch (opt) {
	case 'q': lvl = WGM_LOG_ERR; break;
	case 'v': lvl = WGM_LOG_INFO; break;
	case 'd': lvl = WGM_LOG_DEBUG; break;
	default: return false;
	}
	if (!given || lvl > wgm_log_threshold)
		wgm_log_threshold = lvl;
	given = true;
	return true;
}
static const char *log_prog = "wgmesh";
static bool log_to_journal;

/* systemd sets JOURNAL_STREAM="<dev>:<ino>" of the stream it connected to stdout/stderr. The
 * variable is inherited, so it only counts while stderr is still that very stream (not when a
 * caller redirected us to a file or pipe). */
bool wgm_log_stderr_is_journal(void)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int end = 0;

	if (!env || sscanf(env, "%llu:%llu%n", &dev, &ino, &end) != 2 || env[end] != '\0')
		return false;
	if (fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void wgm_log_init(const char *progname)
{
	log_prog = progname;
	log_to_journal = wgm_log_stderr_is_journal();
}

void wgm_log(enum wgm_log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "", "debug: " };
	/* sd-daemon(3) priorities the journal reads off the line's start: LOG_ERR .. LOG_DEBUG. */
	static const char *const priority[] = { "<3>", "<4>", "<5>", "<6>", "<7>" };
	char small[1024], *text = small;
	va_list ap;
	int n;

	if (lvl > wgm_log_threshold)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(small) && (text = malloc((size_t)n + 1))) {
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	} else if (n >= (int)sizeof(small)) {
		text = small; /* out of memory: the cut message is better than none */
	}
	fprintf(stderr, "%s%s: %s", log_to_journal ? priority[lvl] : "", log_prog, prefix[lvl]);
	/* Messages quote outside values (records, DNS, files): one line, no control byte. */
	if (n >= 0)
		wgm_fputs_esc(text, stderr);
	fputc('\n', stderr);
	if (text != small)
		free(text);
}

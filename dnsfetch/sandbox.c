/* Privilege drop and seccomp for wgmesh-dnsfetch, with raw prctl/capset/seccomp calls (no
 * libcap, no libseccomp). Order matters: the bounding set can only be cut while we still hold
 * CAP_SETPCAP, i.e. before the uid change; the filter goes last so the drop itself may use
 * any system call. */
#include <errno.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "seccomp filter: add this architecture's AUDIT_ARCH and check its system calls"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(__u64))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + (i) * sizeof(__u64) + sizeof(__u32))
#endif

#define ALLOW_NR(nr)                                            \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),        \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static int drop_bounding_and_ambient(char *err, size_t errlen)
{
	/* Walk up to the kernel's own last capability, which may be newer than our headers. */
	for (unsigned long cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) {
			snprintf(err, errlen, "cannot drop capability %lu from the bounding set: %s", cap,
				 strerror(errno));
			return -errno;
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static int clear_capability_sets(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data)) {
		snprintf(err, errlen, "capset to empty sets failed: %s", strerror(errno));
		return -errno;
	}
	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(err, errlen, "capget failed: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		if (data[i].effective || data[i].permitted || data[i].inheritable) {
			snprintf(err, errlen, "capabilities still held after capset");
			return -EPERM;
		}
	}
	return 0;
}

static int change_user(const char *user, char *err, size_t errlen)
{
	const struct passwd *pw;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "unknown user \"%s\" for --user: give an existing unprivileged user",
			 user);
		return errno ? -errno : -ENOENT;
	}
	if (pw->pw_uid == 0 || pw->pw_gid == 0) {
		snprintf(err, errlen, "user \"%s\" has uid or gid 0: give an unprivileged user", user);
		return -EINVAL;
	}
	if (geteuid() != 0) {
		/* Started unprivileged: there is nothing to drop to, and no way to. */
		if (getuid() == 0 || getgid() == 0 || getegid() == 0) {
			snprintf(err, errlen, "running with a root uid or gid but without root rights");
			return -EPERM;
		}
		return 0;
	}
	if (setgroups(0, NULL) || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid)) {
		snprintf(err, errlen, "cannot become user \"%s\": %s", user, strerror(errno));
		return -errno;
	}
	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid) || !ruid || !euid ||
	    !suid || !rgid || !egid || !sgid || setuid(0) == 0) {
		snprintf(err, errlen, "still able to act as root after dropping to \"%s\"", user);
		return -EPERM;
	}
	return 0;
}

/* What c-ares (UDP and TCP to the servers, poll, time), malloc, stderr and the channel need,
 * as strace shows them. Everything else, open() of any file included, kills the process. */
static int install_filter(char *err, size_t errlen)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
		/* x32 system calls share the arch value: refuse them wholesale. */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000 /* __X32_SYSCALL_BIT */, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
#endif
		ALLOW_NR(__NR_read),
		ALLOW_NR(__NR_write),
		ALLOW_NR(__NR_writev),
		ALLOW_NR(__NR_recvfrom),
		ALLOW_NR(__NR_sendto),
		ALLOW_NR(__NR_connect),
		ALLOW_NR(__NR_setsockopt),
		ALLOW_NR(__NR_fcntl),
		ALLOW_NR(__NR_close),
#ifdef __NR_poll
		ALLOW_NR(__NR_poll),
#endif
		ALLOW_NR(__NR_ppoll),
		ALLOW_NR(__NR_clock_gettime),
		ALLOW_NR(__NR_gettimeofday),
		ALLOW_NR(__NR_getrandom),
		ALLOW_NR(__NR_brk),
		ALLOW_NR(__NR_mmap),
		ALLOW_NR(__NR_munmap),
		ALLOW_NR(__NR_mremap),
		ALLOW_NR(__NR_mprotect),
		ALLOW_NR(__NR_madvise),
		ALLOW_NR(__NR_futex),
		ALLOW_NR(__NR_rt_sigreturn),
		/* Sanitizer builds take down their signal stack on the way out. */
		ALLOW_NR(__NR_sigaltstack),
		ALLOW_NR(__NR_exit),
		ALLOW_NR(__NR_exit_group),
		/* socket(): Internet families only, so no netlink, packet or unix sockets. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	};
	struct sock_fprog prog = {
		.len = (unsigned short)(sizeof(filter) / sizeof(filter[0])),
		.filter = filter,
	};

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog)) {
		snprintf(err, errlen, "cannot install the seccomp filter: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int wgm_sandbox_enter(const char *user, char *err, size_t errlen)
{
	int ret;

	if (!user)
		user = "nobody";
	if (geteuid() == 0) {
		ret = drop_bounding_and_ambient(err, errlen);
		if (ret)
			return ret;
	} else if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s", strerror(errno));
		return -errno;
	}
	ret = change_user(user, err, errlen);
	if (ret)
		return ret;
	ret = clear_capability_sets(err, errlen);
	if (ret)
		return ret;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -errno;
	}
	/* Not dumpable: other processes of the same user cannot ptrace or read our memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, errlen, "cannot clear the dumpable flag: %s", strerror(errno));
		return -errno;
	}
	return install_filter(err, errlen);
}

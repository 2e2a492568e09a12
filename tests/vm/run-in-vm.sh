#!/usr/bin/env bash
# Runs a command on Debian's own kernel (which has the WireGuard module) under QEMU, seeing this
# machine's whole file system: the root is shared read-only over 9p with an overlay on top, so
# every installed program (bird, knotd, wg, a build tree) is there. Writes inside the VM go to
# the overlay's upper layer: a tmpfs that vanishes at power-off, or with -d a disk image kept
# between boots. The exit code is the command's.
#
#   sudo tests/vm/run-in-vm.sh [-s] [-d DISK] [-m MiB] [-c CPUS] [-t SECONDS] CMD...
#
#   -s          systemd as PID 1; CMD runs as a oneshot unit after multi-user.target (~15 s
#               under TCG). Without -s, CMD runs right after the switch to the shared root (~2 s).
#   -d DISK     a raw ext4 image as the overlay's upper layer (made, sparse, when missing), so
#               what the VM writes (/etc, /var, ...) is there again on the next boot with -d DISK.
#   -m, -c, -t  memory (3072 MiB), CPUs (2), time limit of the whole run (900 s; exit 124 past it).
#
# Inside, CMD runs as root in the caller's directory with a plain PATH, no other environment
# (use `env X=Y CMD` to pass some); the VM's console (CMD's output) is this script's output.
# Files CMD puts under $OUT are copied to $WGM_VM_OUT on the host afterwards, when that is set.
# Examples:
#   sudo tests/vm/run-in-vm.sh uname -r
#   sudo tests/vm/run-in-vm.sh meson test -C build --no-rebuild wireguard-kernel
#   sudo tests/vm/run-in-vm.sh -s -d /var/tmp/node.img systemctl is-system-running --wait
#
# Knobs: WGM_VM_KERNEL_ARGS (more kernel command line, e.g. loglevel=5 to see the kernel's
# warnings with their stacks); WGM_VM_CPU (QEMU's -cpu under TCG, max by default); WGM_VM_CACHE (/var/cache/wgmesh-vm: the unpacked kernel package, the initramfs, the
# KVM probe's answer); WGM_VM_9P_CACHE (loose: the VM caches the host's files it read, so
# change none of them during a run; none: always asks the host); WGM_VM_ACCEL=tcg|kvm|auto (auto, the default: KVM only once a probe boot
# on this machine has come back under it; nested KVM that hangs falls back to TCG).
# Exit 77 (a skipped test, to meson) with the reason when not root or QEMU and friends are
# missing: qemu-system-x86 busybox-static cpio kmod e2fsprogs (tests/run.sh installs them).
#
# Why it is built this way:
# - The kernel is linux-image-amd64's dependency, fetched with `apt-get download` and unpacked
#   with `dpkg-deb -x`, never installed. A busybox initramfs insmods what the boot needs
#   (virtio, 9p, overlay, virtio_blk + ext4 for -d); the deb's /lib/modules is bind-mounted, so
#   the kernel's own modprobe finds bridge, nf_tables, wireguard, tun... on demand.
# - Nested KVM on some hosts hangs right after the kernel decompresses, and `-cpu host` can trip
#   on MSR 0x10a: the probe boots once with a deadline and its answer is kept in the cache.
# - No tmpfs on /tmp inside the VM: build trees and test files live there. Under systemd,
#   Debian's tmpfiles.d/tmp.conf would empty /tmp at boot: -s masks it, and the modules are
#   mounted by a mount unit so systemd owns that mount.
# - Under -s, Debian's own bird.service fails (no /etc/bird/bird.conf): mask it in tests.
set -euo pipefail
mem=3072 cpus=2 limit=900 sd=0 disk=
usage() { echo "usage: $0 [-s] [-d DISK] [-m MiB] [-c CPUS] [-t SECONDS] CMD..." >&2; exit 2; }
while getopts sd:m:c:t: o; do
	case $o in
	s) sd=1 ;; d) disk=$OPTARG ;; m) mem=$OPTARG ;; c) cpus=$OPTARG ;; t) limit=$OPTARG ;; *) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
if [ "$(id -u)" != 0 ]; then echo "SKIP: run-in-vm.sh needs root (QEMU's 9p share of /)" >&2; exit 77; fi
for t in qemu-system-x86_64:qemu-system-x86 busybox:busybox-static cpio:cpio depmod:kmod mkfs.ext4:e2fsprogs; do
	command -v "${t%%:*}" >/dev/null || { echo "SKIP: no ${t%%:*} (Debian package ${t#*:})" >&2; exit 77; }
done
cache=${WGM_VM_CACHE:-/var/cache/wgmesh-vm}
mkdir -p "$cache"
here=$(cd "$(dirname "$0")" && pwd)

# The kernel: unpacked once per package version; a lock keeps two runs from unpacking at once.
exec 9>"$cache/lock"
flock 9
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1)
kver=${pkg#linux-image-}
if [ -z "$pkg" ] && [ -d "$cache/root/lib/modules" ]; then
	kver=$(ls "$cache/root/lib/modules" | head -1) # no apt lists here: what was unpacked before
fi
if [ -z "$kver" ]; then echo "run-in-vm: cannot tell which kernel linux-image-amd64 wants (apt-get update?)" >&2; exit 1; fi
if [ ! -d "$cache/root/lib/modules/$kver" ]; then
	echo "run-in-vm: fetching $pkg" >&2
	rm -rf "$cache/new" && mkdir "$cache/new"
	(cd "$cache/new" && apt-get download "$pkg" >/dev/null && dpkg-deb -x ./*.deb root)
	depmod -b "$cache/new/root" "$kver"
	rm -rf "$cache/root" "$cache"/*.deb && mv "$cache/new/root" "$cache/root" && mv "$cache/new"/*.deb "$cache/" && rmdir "$cache/new"
fi
mods=$cache/root/lib/modules/$kver

# The initramfs: rebuilt when this script or the kernel changes (named by both, so runs of
# different versions of this script can share the cache).
stamp=$(cat "$0" "$here/vm-init.sh" "$mods/modules.dep" | sha256sum | cut -c1-16)
initrd=$cache/initrd-$stamp.gz
if [ ! -f "$initrd" ]; then
	ird=$(mktemp -d)
	mkdir -p "$ird"/{bin,lib/modules,proc,sys,dev}
	cp "$(command -v busybox)" "$ird/bin/busybox"
	# the modules the boot needs, each after its dependencies (modules.dep lists them)
	order() {
		local m d
		for m in "$@"; do
			grep -qxF "$m" "$ird/modlist" 2>/dev/null && continue
			for d in $(sed -n "s|^$m: *||p" "$mods/modules.dep"); do order "$d"; done
			grep -qxF "$m" "$ird/modlist" 2>/dev/null || echo "$m" >>"$ird/modlist"
		done
	}
	: >"$ird/modlist"
	order kernel/drivers/virtio/virtio_pci.ko kernel/net/9p/9pnet_virtio.ko kernel/fs/9p/9p.ko \
		kernel/fs/overlayfs/overlay.ko kernel/drivers/block/virtio_blk.ko kernel/crypto/crc32c_generic.ko \
		kernel/fs/ext4/ext4.ko
	while read -r m; do cp "$mods/$m" "$ird/lib/modules/"; done <"$ird/modlist"
	# device nodes whose open loads a module (/dev/net/tun -> tun), as kmod static-nodes makes
	cp "$mods/modules.devname" "$ird/devname"
	cp "$here/vm-init.sh" "$ird/init"
	chmod +x "$ird/init"
	(cd "$ird" && find . | cpio -o -H newc 2>/dev/null | gzip -1 >"$initrd.tmp") && mv "$initrd.tmp" "$initrd"
	rm -rf "$ird"
fi

# KVM only where it has been seen to boot this kernel: a probe run with a deadline, once.
accel=${WGM_VM_ACCEL:-auto}
if [ "$accel" = auto ]; then
	accel=tcg
	if [ -w /dev/kvm ]; then
		probe=$cache/kvm-$(uname -r)-$kver
		if [ ! -f "$probe" ]; then
			echo "run-in-vm: probing KVM (once; 60 s at most)" >&2
			if timeout --foreground -k 5 60 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic -no-reboot \
				-kernel "$cache/root/boot/vmlinuz-$kver" -initrd "$initrd" -append "console=ttyS0 quiet panic=-1 vmprobe=1" \
				</dev/null 2>/dev/null | grep -q 'vm: probe ok'; then echo kvm >"$probe"; else echo tcg >"$probe"; fi
		fi
		accel=$(cat "$probe")
	fi
fi
flock -u 9
case $accel in
kvm) qaccel=(-accel kvm -cpu host) ;;
tcg) qaccel=(-accel tcg,thread=multi -cpu "${WGM_VM_CPU:-max}") ;;
*) echo "run-in-vm: WGM_VM_ACCEL must be tcg, kvm or auto, not '$accel'" >&2; exit 2 ;;
esac

qdisk=()
if [ -n "$disk" ]; then
	if [ ! -e "$disk" ]; then
		truncate -s 8G "$disk.new" && mkfs.ext4 -q -F -L wgm-vm "$disk.new" && mv "$disk.new" "$disk"
	fi
	qdisk=(-drive "file=$disk,format=raw,if=virtio,cache=writeback")
fi

io=$(mktemp -d /tmp/wgm-vm.XXXXXX)
trap 'rm -rf "$io"' EXIT
# (timeout --foreground: QEMU stays in our process group, so whoever stops us stops it too)
{
	echo "#!/bin/bash"
	echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root OUT=$io/out"
	echo "mkdir -p \$OUT"
	printf 'cd %q || exit 1\n' "$PWD"
	printf '%q ' "$@"
	echo
} >"$io/cmd"
chmod +x "$io/cmd"
timeout --foreground -k 10 "$limit" qemu-system-x86_64 "${qaccel[@]}" -m "$mem" -smp "$cpus" \
	-nographic -no-reboot -kernel "$cache/root/boot/vmlinuz-$kver" -initrd "$initrd" "${qdisk[@]}" \
	-append "console=ttyS0 quiet panic=-1 ${WGM_VM_KERNEL_ARGS:-} systemd.show_status=0 vmmods=$cache/root/lib/modules vmio=$io vmsystemd=$sd vmdisk=${disk:+1} vmbusybox=$(command -v busybox) vmcache=${WGM_VM_9P_CACHE:-loose}" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs local,path="$io",mount_tag=vmio,security_model=none \
	</dev/null | sed -u -e 's/\x1bc//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g' -e '/^\r*$/d; /SeaBIOS\|iPXE\|Booting from\|sysrq: \|reboot: /d' || true
if [ -n "${WGM_VM_OUT:-}" ] && [ -d "$io/out" ]; then mkdir -p "$WGM_VM_OUT" && cp -a "$io/out/." "$WGM_VM_OUT/"; fi
[ -f "$io/rc" ] || { echo "run-in-vm: the VM ended without an exit code (time limit ${limit}s or a crash)" >&2; exit 124; }
exit "$(cat "$io/rc")"

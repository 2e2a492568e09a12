#!/bin/busybox sh
# PID 1 of run-in-vm.sh's initramfs (busybox): loads the modules the boot needs, builds the root
# (the host's / over 9p, read-only, under an overlay whose upper layer is a tmpfs or the -d disk),
# then hands over to the command (vmsystemd=0) or to systemd with the command as a unit.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modlist); do insmod "/lib/modules/$(basename "$m")" || echo "vm: insmod $m failed"; done
arg() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" /proc/cmdline; }
die() { echo "vm: $*"; poweroff -f; }
if [ "$(arg vmprobe)" = 1 ]; then
	echo "vm: probe ok"
	poweroff -f
fi
mods=$(arg vmmods) io=$(arg vmio) sd=$(arg vmsystemd) disk=$(arg vmdisk) bb=$(arg vmbusybox)
mkdir -p /host /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144 hostroot /host || die "cannot mount the host's root"
if [ "$disk" = 1 ]; then
	# virtio_blk may announce the disk a moment after insmod returns
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	mount -t ext4 /dev/vda /rw || die "cannot mount the disk /dev/vda"
else
	mount -t tmpfs tmpfs /rw
fi
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || die "cannot mount the overlay"
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
mount --move /dev /newroot/dev
ln -sf /proc/self/fd /newroot/dev/fd
ln -sf fd/0 /newroot/dev/stdin
ln -sf fd/1 /newroot/dev/stdout
ln -sf fd/2 /newroot/dev/stderr
mkdir -p /newroot/dev/shm /newroot/dev/pts
# Static nodes for on-demand modules (tun's /dev/net/tun...), what kmod static-nodes does.
while read -r mod name dev; do
	case $mod in '#'* | '') continue ;; esac
	t=${dev%%[0-9]*} majmin=${dev#?}
	mkdir -p "/newroot/dev/$(dirname "$name")"
	[ -e "/newroot/dev/$name" ] || mknod "/newroot/dev/$name" "$t" "${majmin%%:*}" "${majmin#*:}"
done </devname
# The host may be a container: its marker would make systemd in the VM think it is one too
# (no udev, no modules loaded...). The overlay hides it.
rm -f /newroot/.dockerenv /newroot/run/.containerenv
mkdir -p "/newroot$io" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vmio "/newroot$io" || die "cannot mount $io"
if [ "$sd" = 1 ]; then
	etc=/newroot/etc/systemd/system
	mkdir -p "$etc/multi-user.target.wants" "$etc/local-fs.target.wants" /newroot/etc/tmpfiles.d
	cat >"$etc/vmtest.service" <<UNIT
[Unit]
Description=the VM's test command (run-in-vm.sh)
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c '$io/cmd; echo \$? > $io/rc'
ExecStartPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console
StandardError=journal+console
UNIT
	ln -sf /etc/systemd/system/vmtest.service "$etc/multi-user.target.wants/"
	cat >"$etc/usr-lib-modules.mount" <<UNIT
[Unit]
Description=the VM kernel's modules (run-in-vm.sh)
DefaultDependencies=no
Before=local-fs.target systemd-modules-load.service
[Mount]
What=$mods
Where=/usr/lib/modules
Options=bind
UNIT
	ln -sf /etc/systemd/system/usr-lib-modules.mount "$etc/local-fs.target.wants/"
	: >/newroot/etc/tmpfiles.d/tmp.conf
	exec switch_root /newroot /lib/systemd/systemd
fi
mount -t tmpfs tmpfs /newroot/run
mkdir -p /newroot/lib/modules && mount --bind "/newroot$mods" /newroot/lib/modules
# The command's shell is PID 1 from here; sync before the power goes so a -d disk keeps it all,
# then the host's static busybox powers off at once (PID 1 must never exit: a kernel panic).
exec switch_root /newroot /bin/sh -c "$io/cmd; echo \$? > $io/rc; sync; exec $bb poweroff -f"

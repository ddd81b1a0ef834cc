// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * What an unreachable object is, in words an administrator can take to a
 * kernel bug report.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/magic.h>

#include "describe.h"

#define NAME(v, s) [v] = s

const char *desc_family(unsigned int family)
{
	static const char *const names[] = {
		NAME(AF_UNIX, "AF_UNIX"), NAME(AF_INET, "AF_INET"),
		NAME(AF_INET6, "AF_INET6"), NAME(AF_NETLINK, "AF_NETLINK"),
		NAME(AF_PACKET, "AF_PACKET"), NAME(AF_KEY, "AF_KEY"),
		NAME(AF_BLUETOOTH, "AF_BLUETOOTH"), NAME(AF_ALG, "AF_ALG"),
		NAME(AF_VSOCK, "AF_VSOCK"), NAME(AF_XDP, "AF_XDP"),
		NAME(AF_CAN, "AF_CAN"), NAME(AF_TIPC, "AF_TIPC"),
		NAME(AF_RDS, "AF_RDS"), NAME(AF_SMC, "AF_SMC"),
	};

	return family < sizeof(names) / sizeof(names[0]) ? names[family] :
							     NULL;
}

const char *desc_sock_type(unsigned int type)
{
	static const char *const names[] = {
		NAME(SOCK_STREAM, "STREAM"), NAME(SOCK_DGRAM, "DGRAM"),
		NAME(SOCK_RAW, "RAW"), NAME(SOCK_RDM, "RDM"),
		NAME(SOCK_SEQPACKET, "SEQPACKET"), NAME(SOCK_DCCP, "DCCP"),
		NAME(SOCK_PACKET, "PACKET"),
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : NULL;
}

const char *desc_protocol(unsigned int family, unsigned int protocol)
{
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	switch (protocol) {
	case 1:		return "ICMP";
	case 6:		return "TCP";
	case 17:	return "UDP";
	case 58:	return "ICMPV6";
	case 132:	return "SCTP";
	case 136:	return "UDPLITE";
	case 255:	return "RAW";
	case 262:	return "MPTCP";
	}
	return NULL;
}

/* include/net/tcp_states.h; UDP and unix sockets use the same numbers */
const char *desc_state(unsigned int state)
{
	static const char *const names[] = {
		NAME(1, "ESTABLISHED"), NAME(2, "SYN_SENT"),
		NAME(3, "SYN_RECV"), NAME(4, "FIN_WAIT1"),
		NAME(5, "FIN_WAIT2"), NAME(6, "TIME_WAIT"), NAME(7, "CLOSE"),
		NAME(8, "CLOSE_WAIT"), NAME(9, "LAST_ACK"),
		NAME(10, "LISTEN"), NAME(11, "CLOSING"),
		NAME(12, "NEW_SYN_RECV"), NAME(13, "BOUND_INACTIVE"),
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : NULL;
}

const char *desc_fs(uint32_t magic)
{
	static const struct {
		uint32_t magic;
		const char *name;
	} fs[] = {
		{ SOCKFS_MAGIC, "sockfs" },
		{ ANON_INODE_FS_MAGIC, "anon_inodefs" },
		{ PIPEFS_MAGIC, "pipefs" },
		{ EXT4_SUPER_MAGIC, "ext4" },
		{ XFS_SUPER_MAGIC, "xfs" },
		{ BTRFS_SUPER_MAGIC, "btrfs" },
		{ TMPFS_MAGIC, "tmpfs" },
		{ OVERLAYFS_SUPER_MAGIC, "overlay" },
		{ PROC_SUPER_MAGIC, "proc" },
		{ SYSFS_MAGIC, "sysfs" },
		{ DEVPTS_SUPER_MAGIC, "devpts" },
		{ NSFS_MAGIC, "nsfs" },
		{ CGROUP2_SUPER_MAGIC, "cgroup2" },
		{ BPF_FS_MAGIC, "bpf" },
		{ DEBUGFS_MAGIC, "debugfs" },
		{ TRACEFS_MAGIC, "tracefs" },
		{ NFS_SUPER_MAGIC, "nfs" },
		{ SQUASHFS_MAGIC, "squashfs" },
		{ 0x9fa2, "usbdevfs" },
		{ 0x58295829, "zsmalloc" },
	};

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (fs[i].magic == magic)
			return fs[i].name;
	return NULL;
}

const char *desc_file_type(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return "regular";
	case S_IFDIR:	return "directory";
	case S_IFCHR:	return "char device";
	case S_IFBLK:	return "block device";
	case S_IFIFO:	return "fifo";
	case S_IFLNK:	return "symlink";
	case S_IFSOCK:	return "socket";
	}
	return NULL;
}

const char *desc_flag(unsigned int bit)
{
	static const char *const names[] = {
		"bound", "connected", "no_socket", "no_sk", "dead", "no_file",
		"unreadable",
	};

	return bit < sizeof(names) / sizeof(names[0]) ? names[bit] : NULL;
}

struct out {
	char *buf;
	size_t size, len;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}

static void put_name(struct out *o, const char *name, const char *prefix,
		     unsigned int v)
{
	if (name)
		put(o, "%s", name);
	else
		put(o, "%s%u", prefix, v);
}

static void desc_sock(struct out *o, const struct lm_unreach *u)
{
	const char *st = desc_state(u->state);

	put_name(o, desc_family(u->family), "family ", u->family);
	put(o, " ");
	put_name(o, desc_sock_type(u->sock_type), "type ", u->sock_type);
	if (desc_protocol(u->family, u->protocol))
		put(o, " %s", desc_protocol(u->family, u->protocol));
	else if (u->protocol)
		put(o, " proto %u", u->protocol);
	if (st)
		put(o, ", %s", st);
	else
		put(o, ", state %u", u->state);
	put(o, u->flags & LEAKMON_UNREACH_F_BOUND ? ", bound" : ", not bound");
	if (u->flags & LEAKMON_UNREACH_F_CONNECTED)
		put(o, ", connected");
}

void desc_unreach(char *buf, size_t size, const struct lm_unreach *u)
{
	struct out o = { .buf = buf, .size = size };
	bool file = u->kind == LEAKMON_KIND_FILE_BLOB;

	if (size)
		buf[0] = '\0';
	if (u->flags & LEAKMON_UNREACH_F_UNREADABLE) {
		put(&o, "unreadable (freed memory: a missed release)");
		return;
	}
	if (file && u->has_file && u->fs_magic != SOCKFS_MAGIC) {
		const char *fs = desc_fs(u->fs_magic);
		const char *type = desc_file_type(u->file_mode);

		put(&o, "%s file", type ? type : "special");
		if (u->name[0])
			put(&o, " \"%s\"", u->name);
		if (fs)
			put(&o, " on %s", fs);
		else
			put(&o, " on fs 0x%x", u->fs_magic);
	} else if (u->has_sock) {
		if (file)
			put(&o, "file of ");
		desc_sock(&o, u);
	} else {
		put(&o, "socket");
	}
	if (u->flags & LEAKMON_UNREACH_F_NO_SOCKET)
		put(&o, ", no socket inode");
	if (u->flags & LEAKMON_UNREACH_F_NO_SK)
		put(&o, ", no sk");
	if (u->flags & LEAKMON_UNREACH_F_DEAD)
		put(&o, ", dead");
	if (u->flags & LEAKMON_UNREACH_F_NO_FILE)
		put(&o, ", no file");
	if (u->has_refs)
		put(&o, ", file refs %u", u->file_refs);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * leakmon: what an unreachable object is.
 *
 * For the objects a reachability pass finds unreachable, the pass groups
 * what points at the code path that leaked them: for a socket (its inode
 * or its sk) the family, type, protocol, state, whether it has a local
 * address or a peer, and its file's reference count; for a file blob the
 * file's filesystem, type, name and reference count.
 *
 * The pass calls this under the object's bucket lock, which keeps the
 * object alive only while its release probe works; an entry whose free was
 * missed names freed memory.  So every read is a lm_compat_read_kernel()
 * into a buffer, and nothing read is trusted further than as a value to
 * report.
 */
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <uapi/linux/magic.h>
#include <net/af_unix.h>
#include <net/sock.h>

#include "leakmon.h"
#include "compat.h"
#include "describe.h"

/*
 * A name into sh->name, NUL-padded so that equal names compare equal.
 * (strncpy_from_kernel_nofault() is not exported to modules.)  The copy
 * does not cross a page boundary it does not have to.
 */
static void lm_describe_name(const char *name, struct lm_shape *sh)
{
	size_t max = sizeof(sh->name) - 1;
	size_t n = min_t(size_t, max, PAGE_SIZE - offset_in_page(name));

	if (lm_compat_read_kernel(sh->name, name, n))
		n = 0;
	else if (n < max && !memchr(sh->name, '\0', n) &&
		 !lm_compat_read_kernel(sh->name + n, name + n, max - n))
		n = max;
	memset(sh->name + n, 0, sizeof(sh->name) - n);
	n = strnlen(sh->name, max);
	memset(sh->name + n, 0, sizeof(sh->name) - n);
}

/* The sk at ptr into buf->sk. */
static void lm_describe_sk(const struct sock *ptr, struct lm_shape *sh,
			   struct lm_describe_buf *buf)
{
	const struct sock *c = &buf->sk;
	const struct unix_sock *u = (const struct unix_sock *)ptr;
	void *addr, *peer;

	if (lm_compat_read_kernel(&buf->sk, ptr, sizeof(buf->sk))) {
		sh->flags |= LEAKMON_UNREACH_F_UNREADABLE;
		return;
	}
	sh->family = c->sk_family;
	sh->type = c->sk_type;
	sh->protocol = c->sk_protocol;
	sh->state = c->sk_state;
	if (sock_flag(c, SOCK_DEAD))
		sh->flags |= LEAKMON_UNREACH_F_DEAD;
	if (c->sk_userlocks & (SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK))
		sh->flags |= LEAKMON_UNREACH_F_BOUND;
	switch (c->sk_family) {
	case AF_INET:
	case AF_INET6:
		if (c->sk_num)
			sh->flags |= LEAKMON_UNREACH_F_BOUND;
		if (c->sk_dport)
			sh->flags |= LEAKMON_UNREACH_F_CONNECTED;
		break;
	case AF_UNIX:
		if (!lm_compat_read_kernel(&addr, &u->addr, sizeof(addr)) &&
		    addr)
			sh->flags |= LEAKMON_UNREACH_F_BOUND;
		if (!lm_compat_read_kernel(&peer, &u->peer, sizeof(peer)) &&
		    peer)
			sh->flags |= LEAKMON_UNREACH_F_CONNECTED;
		break;
	}
}

/* The file at ptr: its reference count. */
static void lm_describe_refs(const struct file *ptr, struct lm_shape *sh,
			     struct lm_describe_buf *buf)
{
	if (lm_compat_read_kernel(&buf->file, ptr, sizeof(buf->file)))
		sh->flags |= LEAKMON_UNREACH_F_UNREADABLE;
	else
		sh->file_refs = (u32)min_t(unsigned long,
					   file_count(&buf->file), U32_MAX - 1);
}

/* The socket at ptr, its file and its sk. */
static void lm_describe_socket(const struct socket *ptr, struct lm_shape *sh,
			       struct lm_describe_buf *buf)
{
	struct socket *c = &buf->sock;

	if (lm_compat_read_kernel(c, ptr, sizeof(*c))) {
		sh->flags |= LEAKMON_UNREACH_F_UNREADABLE;
		return;
	}
	sh->type = c->type;
	if (c->state == SS_CONNECTED || c->state == SS_CONNECTING)
		sh->flags |= LEAKMON_UNREACH_F_CONNECTED;
	if (c->file)
		lm_describe_refs(c->file, sh, buf);
	else
		sh->flags |= LEAKMON_UNREACH_F_NO_FILE;
	if (c->sk)
		lm_describe_sk(c->sk, sh, buf);
	else
		sh->flags |= LEAKMON_UNREACH_F_NO_SK;
}

static void lm_describe_file(const struct file *ptr, struct lm_shape *sh,
			     struct lm_describe_buf *buf)
{
	const struct file *c = &buf->file;
	struct inode *inode;
	struct super_block *sb;
	const char *name;
	umode_t mode;

	lm_describe_refs(ptr, sh, buf);
	if (sh->flags & LEAKMON_UNREACH_F_UNREADABLE)
		return;
	inode = c->f_inode;
	if (!lm_compat_read_kernel(&name, &c->f_path.dentry->d_name.name,
				   sizeof(name)))
		lm_describe_name(name, sh);
	if (lm_compat_read_kernel(&mode, &inode->i_mode, sizeof(mode)) ||
	    lm_compat_read_kernel(&sb, &inode->i_sb, sizeof(sb)) ||
	    lm_compat_read_kernel(&sh->fs_magic, &sb->s_magic,
				  sizeof(sh->fs_magic))) {
		sh->flags |= LEAKMON_UNREACH_F_UNREADABLE;
		return;
	}
	sh->file_mode = mode & S_IFMT;
	if (sh->fs_magic == SOCKFS_MAGIC)
		lm_describe_socket(SOCKET_I(inode), sh, buf);
}

void lm_describe(unsigned int kind, const void *key, struct lm_shape *sh,
		 struct lm_describe_buf *buf)
{
	memset(sh, 0, sizeof(*sh));
	sh->kind = kind;
	sh->file_refs = LM_SHAPE_NO_FILE;
	switch (kind) {
	case LEAKMON_KIND_SOCK_INODE:
		lm_describe_socket(SOCKET_I((struct inode *)key), sh, buf);
		break;
	case LEAKMON_KIND_FILE_BLOB:
		lm_describe_file(key, sh, buf);
		break;
	case LEAKMON_KIND_SK_BLOB:
		lm_describe_sk(key, sh, buf);
		if (sh->flags & LEAKMON_UNREACH_F_UNREADABLE)
			break;
		if (buf->sk.sk_socket) {
			/* the socket's connection state and its file */
			lm_describe_socket(buf->sk.sk_socket, sh, buf);
			sh->flags &= ~LEAKMON_UNREACH_F_NO_SK;
		} else {
			sh->flags |= LEAKMON_UNREACH_F_NO_SOCKET;
		}
		break;
	}
}

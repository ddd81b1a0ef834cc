// SPDX-License-Identifier: GPL-2.0
/*
 * leakbind: a test-only reproducer of the incident behind leakmon.
 *
 * While loaded, every bind() by a process whose comm equals the "comm"
 * parameter is refused with EPERM, and on that path the socket's file is
 * pinned by a reference that is never dropped: the socket inode, its file,
 * the file's LSM blob and the sock all leak, exactly as with the local
 * net/socket.c patch that filled SUnreclaim on a hosting fleet.  Unloading
 * the module does not give the leaked objects back.
 *
 * Never load this on a machine you care about.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/net.h>
#include <linux/fs.h>
#include <linux/file.h>
#include <linux/kmemleak.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/atomic.h>

static char lb_comm[TASK_COMM_LEN] = "apache2";
module_param_string(comm, lb_comm, sizeof(lb_comm), 0644);
MODULE_PARM_DESC(comm, "Refuse and leak bind() of processes with this comm");

static atomic_long_t lb_leaked = ATOMIC_LONG_INIT(0);

static int lb_get_leaked(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&lb_leaked));
}

static const struct kernel_param_ops lb_leaked_ops = {
	.get = lb_get_leaked,
};
module_param_cb(leaked, &lb_leaked_ops, NULL, 0444);
MODULE_PARM_DESC(leaked, "Sockets leaked so far (read only)");

/* int security_socket_bind(struct socket *sock, struct sockaddr *, int) */
static int lb_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	char comm[TASK_COMM_LEN];

	*(bool *)ri->data = false;
	memcpy(comm, current->comm, sizeof(comm));
	comm[sizeof(comm) - 1] = '\0';
	if (strcmp(comm, lb_comm) || !sock->file)
		return 0;
	/* The bug: a reference taken on the refusal path, never dropped. */
	get_file(sock->file);
	/*
	 * A leak on purpose: kmemleak (make check-debug) is told, so that its
	 * scans report leaks of leakmon's, not the thousands of objects the
	 * tests leak with this module (the file and what hangs off it).
	 */
	kmemleak_not_leak(sock->file);
	atomic_long_inc(&lb_leaked);
	*(bool *)ri->data = true;
	return 0;
}

static int lb_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (*(bool *)ri->data)
		regs_set_return_value(regs, -EPERM);
	return 0;
}

static struct kretprobe lb_probe = {
	.kp.symbol_name = "security_socket_bind",
	.entry_handler = lb_entry,
	.handler = lb_ret,
	.data_size = sizeof(bool),
	.maxactive = 64,
};

static int __init lb_init(void)
{
	int err = register_kretprobe(&lb_probe);

	if (err) {
		pr_err("cannot probe security_socket_bind: %d\n", err);
		return err;
	}
	pr_warn("refusing and leaking bind() for comm '%s'\n", lb_comm);
	return 0;
}

static void __exit lb_exit(void)
{
	unregister_kretprobe(&lb_probe);
	pr_info("unloaded; %ld sockets stay leaked\n",
		atomic_long_read(&lb_leaked));
}

module_init(lb_init);
module_exit(lb_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test only: refuse bind() with EPERM and leak the socket");

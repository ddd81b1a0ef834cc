# SPDX-License-Identifier: GPL-2.0
# Feature probes of the target kernel (kmod/compat.h), included by the
# top-level Kbuild and by the benchmark's floor module, which must probe
# the way leakmon probes.  $(call lm_probe,NAME,SNIPPET) adds
# -DLM_HAVE_NAME to ccflags-y when SNIPPET (\n for a new line) compiles
# against the kernel's headers with its flags.  A snippet with commas is
# passed as a variable: make splits call arguments before expanding them.

lm_probe = $(shell printf '%b\n' '$(2)' | \
	$(CC) $(KBUILD_CPPFLAGS) $(LINUXINCLUDE) \
	-include $(srctree)/include/linux/compiler_types.h $(KBUILD_CFLAGS) \
	-fsyntax-only -x c - >/dev/null 2>&1 && echo -DLM_HAVE_$(1))

# io_uring's registered files: a table of io_fixed_file (6.1 to 6.12), of
# resource nodes (6.13 on), private to io_uring (5.10 with 5.15's io_uring,
# which has io_is_uring_fops() and no io_uring_types.h)
lm_uring = \#include <linux/io_uring_types.h>\nunsigned long lm(struct io_ring_ctx *c);\nunsigned long lm(struct io_ring_ctx *c) { return
ccflags-y += $(call lm_probe,URING_FIXED,$(lm_uring) c->nr_user_files + c->file_table.files[0].file_ptr; })
ccflags-y += $(call lm_probe,URING_NODES,$(lm_uring) c->file_table.data.nr + (unsigned long)c->file_table.data.nodes[0]; })
lm_uring_private = \#include <linux/fs.h>\n\#include <linux/io_uring.h>\nbool lm(struct file *f);\nbool lm(struct file *f) { return io_is_uring_fops(f); }
# io_uring instances a thread registered (IORING_REGISTER_RING_FDS, 5.18)
lm_ringfds = \#include <linux/sched.h>\n\#include <linux/io_uring_types.h>\nstruct file *lm(struct task_struct *t);\nstruct file *lm(struct task_struct *t) { return t->io_uring->registered_rings[IO_RINGFD_REG_MAX - 1]; }
ccflags-y += $(call lm_probe,RINGFDS,$(lm_ringfds))
# get_file_rcu() on the pointer's address (6.7, files SLAB_TYPESAFE_BY_RCU)
lm_get_file_rcu = \#include <linux/fs.h>\n_Static_assert(__builtin_types_compatible_p(typeof(&get_file_rcu), struct file *(*)(struct file **)), "get_file_rcu");
ccflags-y += $(call lm_probe,GET_FILE_RCU_SLOT,$(lm_get_file_rcu))
ifeq ($(filter -DLM_HAVE_URING_%,$(ccflags-y)),)
ccflags-y += $(call lm_probe,URING_PRIVATE,$(lm_uring_private))
endif

# fprobe with 6.5's handlers (return address, entry data): on struct pt_regs
# up to 6.13, on struct ftrace_regs from 6.14; CONFIG_FPROBE set
lm_fprobe = \#include <linux/fprobe.h>\n\#ifndef CONFIG_FPROBE\n\#error no fprobe\n\#endif\n_Static_assert(__builtin_types_compatible_p(fprobe_entry_cb, int (*)(struct fprobe *, unsigned long, unsigned long, struct
lm_fprobe_end = *, void *)) && __builtin_types_compatible_p(fprobe_exit_cb, void (*)(struct fprobe *, unsigned long, unsigned long, struct
lm_fprobe_pt_regs = $(lm_fprobe) pt_regs $(lm_fprobe_end) pt_regs *, void *)), "fprobe handlers");
lm_fprobe_ftrace_regs = $(lm_fprobe) ftrace_regs $(lm_fprobe_end) ftrace_regs *, void *)), "fprobe handlers");
ccflags-y += $(call lm_probe,FPROBE_PT_REGS,$(lm_fprobe_pt_regs))
ccflags-y += $(call lm_probe,FPROBE_FTRACE_REGS,$(lm_fprobe_ftrace_regs))

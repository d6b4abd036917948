// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-vCPU statistics in KVM's binary format (KVM_GET_STATS_FD, KVM's
 * Documentation/virt/kvm/api.rst): a header, an id string, one descriptor
 * per counter, then the counters. The file holds a reference on the VM, so
 * it stays readable after the vCPU's own file is closed; each read builds
 * the current contents, so pread() at any offset sees live values.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"


#define STATS_NAME_SIZE		48	/* KVM_STATS_NAME_SIZE */

#define VCPU_STAT(field)	{ #field, offsetof(struct l1vmm_vcpu_stats, field) }

static const struct {
	const char *name;
	size_t offset;
} vcpu_stats[] = {
	VCPU_STAT(exits),
	VCPU_STAT(fastpath_exits),
	VCPU_STAT(xsetbv_exits),
	VCPU_STAT(l1_xsetbv),
	VCPU_STAT(l1_intercepted_always),
	VCPU_STAT(l1_intercepted_cond),
	VCPU_STAT(egpr_switches),
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	VCPU_STAT(egpr_shadow_loads),
	VCPU_STAT(egpr_shadow_stores),
	VCPU_STAT(egpr_shadow_bad),
	VCPU_STAT(egpr_store_before_spec_ctrl),
#endif
};

struct stats_desc {
	struct kvm_stats_desc desc;
	char name[STATS_NAME_SIZE];
};

struct stats_layout {
	struct kvm_stats_header header;
	char id[STATS_NAME_SIZE];
	struct stats_desc desc[ARRAY_SIZE(vcpu_stats)];
	u64 data[ARRAY_SIZE(vcpu_stats)];
};

static void stats_fill(const struct l1vmm_vcpu *vcpu, struct stats_layout *l)
{
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->header.name_size = STATS_NAME_SIZE;
	l->header.num_desc = ARRAY_SIZE(vcpu_stats);
	l->header.id_offset = offsetof(struct stats_layout, id);
	l->header.desc_offset = offsetof(struct stats_layout, desc);
	l->header.data_offset = offsetof(struct stats_layout, data);
	snprintf(l->id, sizeof(l->id), "l1vmm-%d/vcpu-%u", task_pid_nr(current), vcpu->id);
	for (i = 0; i < ARRAY_SIZE(vcpu_stats); i++) {
		struct stats_desc *d = &l->desc[i];

		d->desc.flags = KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE |
				KVM_STATS_BASE_POW10;
		d->desc.size = 1;
		d->desc.offset = i * sizeof(u64);
		strscpy(d->name, vcpu_stats[i].name, sizeof(d->name));
		l->data[i] = READ_ONCE(*(const u64 *)((const char *)&vcpu->stats +
						      vcpu_stats[i].offset));
	}
}

static ssize_t stats_read(struct file *file, char __user *buf, size_t size, loff_t *pos)
{
	struct l1vmm_vcpu *vcpu = file->private_data;
	struct stats_layout *l;
	ssize_t r;

	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	stats_fill(vcpu, l);
	r = simple_read_from_buffer(buf, size, pos, l, sizeof(*l));
	kfree(l);
	return r;
}

static int stats_release(struct inode *inode, struct file *file)
{
	struct l1vmm_vcpu *vcpu = file->private_data;

	l1vmm_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner = THIS_MODULE,
	.read = stats_read,
	.llseek = noop_llseek,
	.release = stats_release,
};

/* KVM_GET_STATS_FD on a vCPU: a new read-only file, or an errno. */
int l1vmm_vcpu_stats_fd(struct l1vmm_vcpu *vcpu)
{
	/* KVM's name: "kvm-vcpu-stats:" and the id, as %d. */
	char name[sizeof("kvm-vcpu-stats:") + 11];
	struct file *file;
	int fd;

	BUILD_BUG_ON(sizeof(struct stats_desc) != sizeof(struct kvm_stats_desc) + STATS_NAME_SIZE);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	snprintf(name, sizeof(name), "kvm-vcpu-stats:%d", vcpu->id);
	refcount_inc(&vcpu->vm->users);
	file = anon_inode_getfile(name, &stats_fops, vcpu, O_RDONLY);
	if (IS_ERR(file)) {
		l1vmm_vm_put(vcpu->vm);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM and vCPU statistics in KVM's binary format (KVM_GET_STATS_FD, KVM's
 * Documentation/virt/kvm/api.rst): a header, an id string, one descriptor
 * per counter, then the counters. The file holds a reference on the VM, so
 * it stays readable after the VM's and vCPU's own files are closed; each
 * read builds the current contents, so pread() at any offset sees live
 * values.
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
#define STATS_MAX		32

struct stat_def {
	const char *name;
	size_t offset;		/* in the counters' struct */
	u32 flags;		/* KVM_STATS_TYPE_* | KVM_STATS_UNIT_* | KVM_STATS_BASE_* */
	s16 exponent;		/* of the base: -9 for nanoseconds */
};

#define COUNTER		(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define VCPU_STAT(field)	{ #field, offsetof(struct l1vmm_vcpu_stats, field), COUNTER }
#define VM_STAT(field)		{ #field, offsetof(struct l1vmm_vm_stats, field), COUNTER }
/* KVM's STATS_DESC_TIME_NSEC and STATS_DESC_IBOOLEAN. */
#define NSEC		(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_SECONDS | KVM_STATS_BASE_POW10)
#define VCPU_NSEC(field)	{ #field, offsetof(struct l1vmm_vcpu_stats, field), NSEC, -9 }
#define IBOOL		(KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_BOOLEAN | KVM_STATS_BASE_POW10)
#define VCPU_BOOL(field)	{ #field, offsetof(struct l1vmm_vcpu_stats, field), IBOOL }

static const struct stat_def vcpu_stats[] = {
	VCPU_STAT(exits),
	VCPU_STAT(fastpath_exits),
	VCPU_STAT(fastpath_apic_writes),
	VCPU_STAT(fastpath_series_bounded),
	VCPU_STAT(xsetbv_exits),
	VCPU_STAT(l1_xsetbv),
	VCPU_STAT(l1_intercepted_always),
	VCPU_STAT(l1_intercepted_cond),
	VCPU_STAT(l1_vmcs_unshadowed),
	VCPU_STAT(l1d_flush),
	VCPU_STAT(egpr_switches),
	VCPU_STAT(halt_exits),
	VCPU_STAT(halt_successful_poll),
	VCPU_STAT(halt_attempted_poll),
	VCPU_STAT(halt_poll_invalid),
	VCPU_STAT(halt_wakeup),
	VCPU_NSEC(halt_poll_success_ns),
	VCPU_NSEC(halt_poll_fail_ns),
	VCPU_NSEC(halt_wait_ns),
	VCPU_BOOL(blocking),
#ifdef CONFIG_L1VMM_EGPR_SHADOW
	VCPU_STAT(egpr_shadow_loads),
	VCPU_STAT(egpr_shadow_stores),
	VCPU_STAT(egpr_shadow_bad),
	VCPU_STAT(egpr_store_before_spec_ctrl),
#endif
};

#define INSTANT		(KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_NONE | KVM_STATS_BASE_POW10)
#define VM_INSTANT(field)	{ #field, offsetof(struct l1vmm_vm_stats, field), INSTANT }

static const struct stat_def vm_stats[] = {
	VM_STAT(remote_tlb_flush_requests),
	VM_INSTANT(pages_4k),
	VM_INSTANT(pages_2m),
	VM_INSTANT(pages_1g),
};

struct stats_desc {
	struct kvm_stats_desc desc;
	char name[STATS_NAME_SIZE];
};

struct stats_layout {
	struct kvm_stats_header header;
	char id[STATS_NAME_SIZE];
	struct stats_desc desc[STATS_MAX];
	u64 data[STATS_MAX];
};

/* One statistics file: which counters, where they live, its id string. */
struct stats_source {
	const struct stat_def *defs;
	unsigned int n;
	const void *counters;
	char id[STATS_NAME_SIZE];
};

/*
 * The file's contents: KVM's layout, with the descriptors and the data
 * right after the id string and only as many as there are counters.
 */
static size_t stats_fill(const struct stats_source *src, struct stats_layout *l)
{
	size_t desc_off = offsetof(struct stats_layout, desc);
	size_t data_off = desc_off + src->n * sizeof(struct stats_desc);
	u64 *data;
	unsigned int i;

	memset(l, 0, sizeof(*l));
	l->header.name_size = STATS_NAME_SIZE;
	l->header.num_desc = src->n;
	l->header.id_offset = offsetof(struct stats_layout, id);
	l->header.desc_offset = desc_off;
	l->header.data_offset = data_off;
	memcpy(l->id, src->id, sizeof(l->id));
	data = (u64 *)((char *)l + data_off);
	for (i = 0; i < src->n; i++) {
		struct stats_desc *d = &l->desc[i];

		d->desc.flags = src->defs[i].flags;
		d->desc.exponent = src->defs[i].exponent;
		d->desc.size = 1;
		d->desc.offset = i * sizeof(u64);
		strscpy(d->name, src->defs[i].name, sizeof(d->name));
		data[i] = READ_ONCE(*(const u64 *)((const char *)src->counters +
						   src->defs[i].offset));
	}
	return data_off + src->n * sizeof(u64);
}

static ssize_t stats_read(const struct stats_source *src, char __user *buf,
			  size_t size, loff_t *pos)
{
	struct stats_layout *l;
	ssize_t r;
	size_t len;

	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	len = stats_fill(src, l);
	r = simple_read_from_buffer(buf, size, pos, l, len);
	kfree(l);
	return r;
}

static ssize_t vcpu_stats_read(struct file *file, char __user *buf, size_t size, loff_t *pos)
{
	struct l1vmm_vcpu *vcpu = file->private_data;
	struct stats_source src = {
		.defs = vcpu_stats, .n = ARRAY_SIZE(vcpu_stats), .counters = &vcpu->stats,
	};

	/* KVM's id: the creating process, then the vCPU. */
	snprintf(src.id, sizeof(src.id), "kvm-%d/vcpu-%u", vcpu->creator, vcpu->id);
	return stats_read(&src, buf, size, pos);
}

static ssize_t vm_stats_read(struct file *file, char __user *buf, size_t size, loff_t *pos)
{
	struct l1vmm_vm *vm = file->private_data;
	struct stats_source src = {
		.defs = vm_stats, .n = ARRAY_SIZE(vm_stats), .counters = &vm->stats,
	};

	snprintf(src.id, sizeof(src.id), "kvm-%d", vm->creator);
	return stats_read(&src, buf, size, pos);
}

static int vcpu_stats_release(struct inode *inode, struct file *file)
{
	struct l1vmm_vcpu *vcpu = file->private_data;

	l1vmm_vm_put(vcpu->vm);
	return 0;
}

static int vm_stats_release(struct inode *inode, struct file *file)
{
	l1vmm_vm_put(file->private_data);
	return 0;
}

static const struct file_operations vcpu_stats_fops = {
	.owner = THIS_MODULE,
	.read = vcpu_stats_read,
	.llseek = noop_llseek,
	.release = vcpu_stats_release,
};

static const struct file_operations vm_stats_fops = {
	.owner = THIS_MODULE,
	.read = vm_stats_read,
	.llseek = noop_llseek,
	.release = vm_stats_release,
};

/*
 * A new read-only statistics file holding a reference on @vm, so that it
 * stays readable after the VM's and vCPUs' own files are closed.
 */
static int stats_fd(struct l1vmm_vm *vm, const char *name,
		    const struct file_operations *fops, void *priv)
{
	struct file *file;
	int fd;

	BUILD_BUG_ON(sizeof(struct stats_desc) != sizeof(struct kvm_stats_desc) + STATS_NAME_SIZE);
	BUILD_BUG_ON(ARRAY_SIZE(vcpu_stats) > STATS_MAX || ARRAY_SIZE(vm_stats) > STATS_MAX);
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	refcount_inc(&vm->users);
	file = anon_inode_getfile(name, fops, priv, O_RDONLY);
	if (IS_ERR(file)) {
		l1vmm_vm_put(vm);
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}

/* KVM_GET_STATS_FD on a vCPU: a new read-only file, or an errno. */
int l1vmm_vcpu_stats_fd(struct l1vmm_vcpu *vcpu)
{
	/* KVM's name: "kvm-vcpu-stats:" and the id, as %d. */
	char name[sizeof("kvm-vcpu-stats:") + 11];

	snprintf(name, sizeof(name), "kvm-vcpu-stats:%d", vcpu->id);
	return stats_fd(vcpu->vm, name, &vcpu_stats_fops, vcpu);
}

/* KVM_GET_STATS_FD on a VM. */
int l1vmm_vm_stats_fd(struct l1vmm_vm *vm)
{
	return stats_fd(vm, "kvm-vm-stats", &vm_stats_fops, vm);
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's TSC, as KVM 6.1's x86.c keeps it without TSC scaling: the
 * guest's TSC is the host's plus an offset (the backend stores it,
 * L1VMM_MSR_TSC_OFFSET).
 *
 * - User space's write of IA32_TSC (and the write of 0 when a vCPU is
 *   created) sets the offset, matched against the VM's last write
 *   (portable/tsc_sync.c), and leaves IA32_TSC_ADJUST alone.
 * - The guest's write of IA32_TSC moves the offset by the change and adds
 *   the same change to IA32_TSC_ADJUST, as the SDM says.
 * - The guest's write of IA32_TSC_ADJUST moves the offset by the change;
 *   user space's only sets the MSR. Both need TSC_ADJUST in the guest's
 *   CPUID (7.0 EBX bit 1), else the write is ignored; reads always work.
 * - KVM_VCPU_TSC_OFFSET reads and sets the offset itself, recorded as a
 *   write of the TSC it gives.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "l1vmm/backend.h"
#include "l1vmm/portable/cpuid.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/tsc.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

#define CPUID_7_EBX_TSC_ADJUST	BIT(1)

void l1vmm_tsc_vm_init(struct l1vmm_vm *vm)
{
	raw_spin_lock_init(&vm->tsc_write_lock);
	vm->default_tsc_khz = tsc_khz;
}

/* The clocks now, for the VM's lock holder (get_kvmclock_base_ns()'s time). */
static void tsc_now(struct l1vmm_vcpu *vcpu, struct l1vmm_tsc_now *now)
{
	now->host_tsc = rdtsc();
	now->ns = ktime_get_raw_ns() + ktime_to_ns(ktime_mono_to_any(0, TK_OFFS_BOOT));
	now->khz = vcpu->tsc_khz;
	now->unstable = check_tsc_unstable();
}

static void write_offset(struct l1vmm_vcpu *vcpu, u64 offset)
{
	l1vmm_ops->set_msr(vcpu, L1VMM_MSR_TSC_OFFSET, offset);
	/* The pvclock page's (TSC, time) pair before the guest runs on. */
	set_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests);
}

/* User space's write of @data to IA32_TSC (KVM's kvm_synchronize_tsc()). */
static void host_write_tsc(struct l1vmm_vcpu *vcpu, u64 data)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct l1vmm_tsc_now now;
	unsigned long flags;

	raw_spin_lock_irqsave(&vm->tsc_write_lock, flags);
	tsc_now(vcpu, &now);
	write_offset(vcpu, l1vmm_tsc_sync_write(&vm->tsc_sync, &vcpu->tsc_sync, &now, data));
	raw_spin_unlock_irqrestore(&vm->tsc_write_lock, flags);
}

void l1vmm_tsc_vcpu_init(struct l1vmm_vcpu *vcpu)
{
	host_write_tsc(vcpu, 0);
}

static bool guest_has_tsc_adjust(struct l1vmm_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = l1vmm_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 7, 0);

	return e && (e->ebx & CPUID_7_EBX_TSC_ADJUST);
}

int l1vmm_tsc_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	if (index != L1VMM_MSR_TSC_ADJUST)
		return 1;
	*data = vcpu->tsc_adjust;
	return 0;
}

int l1vmm_tsc_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool host)
{
	u64 offset;
	s64 adj;

	switch (index) {
	case L1VMM_MSR_TSC:
		if (host) {
			host_write_tsc(vcpu, data);
			return 0;
		}
		offset = l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC_OFFSET);
		adj = (data - rdtsc()) - offset;
		write_offset(vcpu, offset + adj);
		vcpu->tsc_adjust += adj;
		return 0;
	case L1VMM_MSR_TSC_ADJUST:
		if (!guest_has_tsc_adjust(vcpu))
			return 0;	/* ignored, as KVM */
		if (!host) {
			adj = data - vcpu->tsc_adjust;
			offset = l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC_OFFSET);
			write_offset(vcpu, offset + adj);
		}
		vcpu->tsc_adjust = data;
		return 0;
	default:
		return 1;
	}
}

/*
 * KVM_HAS/GET/SET_DEVICE_ATTR on a vCPU, as KVM's
 * kvm_vcpu_ioctl_device_attr(): group KVM_VCPU_TSC_CTRL, attribute
 * KVM_VCPU_TSC_OFFSET only (-ENXIO otherwise); a u64 at @addr, which must
 * be a user address of this process's width (-EFAULT).
 */
int l1vmm_vcpu_device_attr(struct l1vmm_vcpu *vcpu, unsigned int ioctl, void __user *argp)
{
	struct l1vmm_vm *vm = vcpu->vm;
	struct kvm_device_attr attr;
	struct l1vmm_tsc_now now;
	u64 __user *uaddr;
	unsigned long flags;
	u64 offset;

	if (copy_from_user(&attr, argp, sizeof(attr)))
		return -EFAULT;
	if (attr.group != KVM_VCPU_TSC_CTRL)
		return -ENXIO;
	if (ioctl == KVM_HAS_DEVICE_ATTR)
		return attr.attr == KVM_VCPU_TSC_OFFSET ? 0 : -ENXIO;

	uaddr = (u64 __user *)(unsigned long)attr.addr;
	if ((u64)(unsigned long)uaddr != attr.addr)
		return -EFAULT;
	if (attr.attr != KVM_VCPU_TSC_OFFSET)
		return -ENXIO;
	if (ioctl == KVM_GET_DEVICE_ATTR)
		return put_user(l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC_OFFSET), uaddr) ? -EFAULT : 0;

	if (get_user(offset, uaddr))
		return -EFAULT;
	raw_spin_lock_irqsave(&vm->tsc_write_lock, flags);
	tsc_now(vcpu, &now);
	l1vmm_tsc_sync_set_offset(&vm->tsc_sync, &vcpu->tsc_sync, &now, offset);
	write_offset(vcpu, offset);
	raw_spin_unlock_irqrestore(&vm->tsc_write_lock, flags);
	return 0;
}

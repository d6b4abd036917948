// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmclock, as KVM 6.1 keeps it (arch/x86/kvm/x86.c) without its master
 * clock: the guest names a page with MSR_KVM_SYSTEM_TIME(_NEW) and l1vmm
 * writes there, before the vCPU's next entry, a pair (guest TSC, guest
 * nanoseconds) and the scale between them; the guest extrapolates from
 * its TSC. The page is written again when user space sets the clock
 * (KVM_SET_CLOCK), when the vCPU moved to another host CPU, and every
 * five minutes, as KVM does. The guest's nanoseconds count from VM
 * creation at the rate of the host's raw clock (CLOCK_MONOTONIC_RAW plus
 * the time suspended), which is what the TSC scale predicts, so the
 * guest's clock does not jump at an update.
 *
 * PVCLOCK_TSC_STABLE_BIT is never set: KVM sets it only with its master
 * clock (a host clocksource that is the TSC, and the vCPUs' TSCs
 * matched), which l1vmm does not have yet (doc/abi.md, Differences).
 *
 * The guest's memory is written through the slot's user mapping
 * (l1vmm_copy_gpa()), as KVM's kvm_write_guest() does: only in process
 * context with preemption on. The fastpath's WRMSR (IRQs off) only
 * records the MSR and asks for the write, which vcpu_run() does before
 * the guest's next instruction.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>

#include "l1vmm/backend.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/kvmclock.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

/* The guest ABI, pinned against the kernel's own description of it. */
static_assert(sizeof(struct l1vmm_pvclock_time) == sizeof(struct pvclock_vcpu_time_info));
static_assert(offsetof(struct l1vmm_pvclock_time, flags) ==
	      offsetof(struct pvclock_vcpu_time_info, flags));
static_assert(offsetof(struct l1vmm_pvclock_time, tsc_shift) ==
	      offsetof(struct pvclock_vcpu_time_info, tsc_shift));
static_assert(sizeof(struct l1vmm_pvclock_wall_clock) == sizeof(struct pvclock_wall_clock));

const u32 l1vmm_kvmclock_msrs[L1VMM_KVMCLOCK_NR_MSRS] = {
	L1VMM_MSR_KVM_SYSTEM_TIME, L1VMM_MSR_KVM_WALL_CLOCK,
	L1VMM_MSR_KVM_SYSTEM_TIME_NEW, L1VMM_MSR_KVM_WALL_CLOCK_NEW,
};

/*
 * The host's clock kvmclock follows: boot time at the raw clock's rate
 * (KVM's get_kvmclock_base_ns() on x86-64).
 */
static u64 base_ns(void)
{
	return ktime_get_raw_ns() + ktime_to_ns(ktime_mono_to_any(0, TK_OFFS_BOOT));
}

/* The guest's kvmclock now, in nanoseconds (what KVM_GET_CLOCK reports). */
static u64 kvmclock_ns(struct l1vmm_vm *vm)
{
	return base_ns() + READ_ONCE(vm->kvmclock_offset);
}

/* A new VM's kvmclock starts at 0, as in KVM. */
void l1vmm_kvmclock_vm_init(struct l1vmm_vm *vm)
{
	vm->kvmclock_offset = -(s64)base_ns();
}

/* RESET and INIT turn kvmclock off, as KVM's kvmclock_reset(). */
void l1vmm_kvmclock_reset(struct l1vmm_vcpu *vcpu)
{
	vcpu->kvmclock.system_time = 0;
	vcpu->kvmclock.cpu = -1;
	vcpu->kvmclock.wall_clock_pending = false;
	clear_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests);
}

static int gpa_write(struct l1vmm_vm *vm, u64 gpa, const void *buf, unsigned int len)
{
	return l1vmm_copy_gpa(vm, gpa, (void *)buf, len, true);
}

/*
 * The wall clock at @gpa, as KVM's kvm_write_wall_clock(): the version
 * odd while writing (one more if the guest left it odd), then the real
 * time at which kvmclock was 0, then the version even. Nothing is written
 * where no slot backs the address; the MSR write succeeds all the same.
 */
static void write_wall_clock(struct l1vmm_vm *vm, u64 gpa)
{
	struct l1vmm_pvclock_wall_clock wc;
	u32 version;

	if (!gpa || l1vmm_copy_gpa(vm, gpa, &version, sizeof(version), false))
		return;
	if (version & 1)
		version++;
	version++;
	if (gpa_write(vm, gpa, &version, sizeof(version)))
		return;
	l1vmm_pvclock_wall_clock(ktime_get_real_ns(), kvmclock_ns(vm), version, &wc);
	if (gpa_write(vm, gpa, &wc, sizeof(wc)))
		return;
	version++;
	gpa_write(vm, gpa, &version, sizeof(version));
}

/*
 * The vCPU's pvclock page, as KVM's kvm_guest_time_update() and
 * kvm_setup_guest_pvclock() write it: the guest's TSC and kvmclock read
 * together with IRQs off on this CPU; the scale from the host's TSC rate
 * (no TSC scaling: the guest's TSC ticks at the host's); the version odd
 * while the page changes, even after, and never the same even version
 * twice; the guest's PVCLOCK_GUEST_STOPPED kept. A page that crosses a
 * page boundary or is not in a writable slot is not written (KVM's pfn
 * cache refuses both).
 */
void l1vmm_kvmclock_update(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_kvmclock *kc = &vcpu->kvmclock;
	u64 gpa = kc->system_time & ~L1VMM_KVMCLOCK_ENABLE;
	struct l1vmm_pvclock_time t = { 0 };
	struct l1vmm_vm *vm = vcpu->vm;
	unsigned long flags;
	signed char shift;
	u32 mul, version;
	u64 guest_tsc;
	s64 ns;
	int cpu;

	clear_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests);
	if (kc->wall_clock_pending) {
		kc->wall_clock_pending = false;
		write_wall_clock(vm, READ_ONCE(vm->wall_clock));
	}
	if (!(kc->system_time & L1VMM_KVMCLOCK_ENABLE))
		return;
	if (offset_in_page(gpa) + sizeof(t) > PAGE_SIZE)
		return;

	cpu = get_cpu();
	local_irq_save(flags);
	guest_tsc = l1vmm_ops->get_msr(vcpu, L1VMM_MSR_TSC);
	ns = base_ns() + READ_ONCE(vm->kvmclock_offset);
	local_irq_restore(flags);
	put_cpu();
	kc->cpu = cpu;
	kc->next_sync = jiffies + L1VMM_KVMCLOCK_SYNC_PERIOD;

	l1vmm_pvclock_time_scale(NSEC_PER_SEC, tsc_khz * 1000ULL, &shift, &mul);
	t.tsc_timestamp = guest_tsc;
	t.system_time = ns;
	t.tsc_to_system_mul = mul;
	t.tsc_shift = shift;

	/* The guest may read another vCPU's page at any time: odd first. */
	if (l1vmm_copy_gpa(vm, gpa, &version, sizeof(version), false) ||
	    l1vmm_copy_gpa(vm, gpa + offsetof(struct l1vmm_pvclock_time, flags), &t.flags,
			   sizeof(t.flags), false))
		return;
	t.flags &= L1VMM_PVCLOCK_GUEST_STOPPED;
	t.version = l1vmm_pvclock_version_begin(version);
	if (gpa_write(vm, gpa, &t.version, sizeof(t.version)))
		return;
	/* The odd version is visible before any field changes... */
	smp_wmb();
	if (gpa_write(vm, gpa, &t, sizeof(t)))
		return;
	/* ...and every field before the even version. */
	smp_wmb();
	t.version++;
	gpa_write(vm, gpa, &t.version, sizeof(t.version));
}

int l1vmm_kvmclock_get_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 *data)
{
	switch (index) {
	case L1VMM_MSR_KVM_SYSTEM_TIME:
	case L1VMM_MSR_KVM_SYSTEM_TIME_NEW:
		*data = vcpu->kvmclock.system_time;
		return 0;
	case L1VMM_MSR_KVM_WALL_CLOCK:
	case L1VMM_MSR_KVM_WALL_CLOCK_NEW:
		*data = READ_ONCE(vcpu->vm->wall_clock);
		return 0;
	default:
		return 1;
	}
}

/*
 * As KVM without KVM_CAP_ENFORCE_PV_FEATURE_CPUID: the old and the new
 * MSRs alike, whatever the guest's CPUID says, any value (an address no
 * slot backs is accepted and nothing is written there), from the guest
 * and from user space (QEMU writes 0 to the old ones at every reset).
 */
int l1vmm_kvmclock_set_msr(struct l1vmm_vcpu *vcpu, u32 index, u64 data, bool write_now)
{
	switch (index) {
	case L1VMM_MSR_KVM_SYSTEM_TIME:
	case L1VMM_MSR_KVM_SYSTEM_TIME_NEW:
		vcpu->kvmclock.system_time = data;
		/* Before the next entry, with preemption on (vcpu.c). */
		set_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests);
		return 0;
	case L1VMM_MSR_KVM_WALL_CLOCK:
	case L1VMM_MSR_KVM_WALL_CLOCK_NEW:
		WRITE_ONCE(vcpu->vm->wall_clock, data);
		if (write_now) {
			write_wall_clock(vcpu->vm, data);
		} else {
			vcpu->kvmclock.wall_clock_pending = true;
			set_bit(L1VMM_REQ_CLOCK_UPDATE, &vcpu->requests);
		}
		return 0;
	default:
		return 1;
	}
}

/*
 * KVM_GET_CLOCK: the guest's kvmclock now. Without a master clock KVM
 * reports no flags and leaves realtime and host_tsc 0; so does l1vmm.
 */
int l1vmm_vm_get_clock(struct l1vmm_vm *vm, struct kvm_clock_data __user *udata)
{
	struct kvm_clock_data data = { 0 };

	data.clock = kvmclock_ns(vm);
	return copy_to_user(udata, &data, sizeof(data)) ? -EFAULT : 0;
}

/*
 * KVM_SET_CLOCK, as KVM 6.1: flags outside KVM_CLOCK_VALID_FLAGS are
 * -EINVAL (what KVM_GET_CLOCK returned is accepted back); with
 * KVM_CLOCK_REALTIME the time since @realtime is added, so that the clock
 * does not step back. Every vCPU writes its page again before it next
 * enters the guest; a vCPU in the guest is kicked out for it.
 */
int l1vmm_vm_set_clock(struct l1vmm_vm *vm, struct kvm_clock_data __user *udata)
{
	struct kvm_clock_data data;
	unsigned int i;

	if (copy_from_user(&data, udata, sizeof(data)))
		return -EFAULT;
	if (data.flags & ~L1VMM_CLOCK_VALID_FLAGS)
		return -EINVAL;

	mutex_lock(&vm->lock);
	if (data.flags & KVM_CLOCK_REALTIME) {
		u64 now_real = ktime_get_real_ns();

		if (now_real > data.realtime)
			data.clock += now_real - data.realtime;
	}
	WRITE_ONCE(vm->kvmclock_offset, data.clock - base_ns());
	for (i = 0; i < vm->nr_vcpus; i++)
		l1vmm_vcpu_kick(vm->vcpus[i], L1VMM_REQ_CLOCK_UPDATE);
	mutex_unlock(&vm->lock);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * MMIO: a second-level page fault (struct l1vmm_exit's npf, decoded by the
 * backend) that no slot backs, or a write to a read-only slot; faults on
 * slots are mapped on demand (mmu.c) and never reach user space. l1vmm
 * fetches the instruction through the guest's page tables, decodes it (the MOV forms of
 * l1vmm/portable/insn_decode.c), and reflects the access to user space as
 * KVM_EXIT_MMIO. A read completes on the next KVM_RUN, when user space has
 * put the data in kvm_run.mmio.data. Anything else is an emulation failure.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/mm.h>

#include "l1vmm/guest_mem.h"
#include "l1vmm/exit.h"
#include "l1vmm/coalesced_mmio.h"
#include "l1vmm/ioeventfd.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/mmu.h"
#include "l1vmm/trace.h"
#include "l1vmm/vm.h"

static int complete_mmio_read(struct l1vmm_vcpu *vcpu)
{
	const struct l1vmm_insn *insn = &vcpu->pending.mmio_read;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, insn->mem_size);
	trace_l1vmm_mmio(L1VMM_TRACE_MMIO_READ, insn->mem_size, vcpu->exit.npf.gpa, &data);
	vcpu->regs[insn->reg] = l1vmm_insn_load_result(insn, vcpu->regs[insn->reg], data);
	vcpu->regs_dirty |= BIT(insn->reg);
	l1vmm_skip_to(vcpu, vcpu->pending.next_rip);
	return 1;
}

int l1vmm_handle_npf(struct l1vmm_vcpu *vcpu)
{
	const struct l1vmm_exit *e = &vcpu->exit;
	u64 gpa = e->npf.gpa;
	struct kvm_run *run = vcpu->run;
	struct l1vmm_guest_view view;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	struct l1vmm_insn insn;
	unsigned int n;
	u64 data;
	int r;

	/* Memory the guest touches first, or again after an invalidation. */
	r = l1vmm_tdp_fault(vcpu, gpa, e->npf.write);
	if (r)
		return r;
	/* Code, or the guest's own page tables, in MMIO: not emulated. */
	if (e->npf.fetch || e->npf.in_walk)
		return l1vmm_emulation_failure(vcpu, gpa);

	l1vmm_guest_view(vcpu, &view);
	n = l1vmm_fetch_insn(vcpu, &view, bytes);
	if (l1vmm_insn_decode(bytes, n, view.code_size, &insn) ||
	    e->npf.write != (insn.op != L1VMM_INSN_LOAD))
		return l1vmm_emulation_failure(vcpu, gpa);

	/* The in-kernel local APIC's page, the IOAPIC's window. */
	if (insn.op != L1VMM_INSN_LOAD)
		data = l1vmm_insn_store_value(&insn, vcpu->regs);
	if (vcpu->lapic &&
	    l1vmm_lapic_mmio(vcpu, gpa, insn.op != L1VMM_INSN_LOAD, insn.mem_size, &data)) {
		if (insn.op == L1VMM_INSN_LOAD) {
			vcpu->regs[insn.reg] = l1vmm_insn_load_result(&insn, vcpu->regs[insn.reg],
								      data);
			vcpu->regs_dirty |= BIT(insn.reg);
		}
		l1vmm_skip_to(vcpu, vcpu->regs[L1VMM_REG_RIP] + insn.len);
		return 1;
	}

	/* A doorbell: signal its eventfd, retire the write, stay in the guest. */
	if (insn.op != L1VMM_INSN_LOAD) {
		if (l1vmm_ioeventfd_write(vcpu->vm, L1VMM_IOBUS_MMIO, gpa, insn.mem_size, data) ||
		    l1vmm_coalesced_write(vcpu->vm, L1VMM_IOBUS_MMIO, gpa, insn.mem_size, &data)) {
			l1vmm_skip_to(vcpu, vcpu->regs[L1VMM_REG_RIP] + insn.len);
			return 1;
		}
	}

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn.mem_size;
	run->mmio.is_write = insn.op != L1VMM_INSN_LOAD;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	/* As in KVM: a write is retired now, a read when its data has come. */
	if (run->mmio.is_write) {
		memcpy(run->mmio.data, &data, insn.mem_size);
		trace_l1vmm_mmio(L1VMM_TRACE_MMIO_WRITE, insn.mem_size, gpa, &data);
		l1vmm_skip_to(vcpu, vcpu->regs[L1VMM_REG_RIP] + insn.len);
	} else {
		l1vmm_complete_later(vcpu, complete_mmio_read,
				     vcpu->regs[L1VMM_REG_RIP] + insn.len);
		vcpu->pending.mmio_read = insn;
		trace_l1vmm_mmio(L1VMM_TRACE_MMIO_READ_UNSATISFIED, insn.mem_size, gpa, NULL);
	}
	return 0;
}

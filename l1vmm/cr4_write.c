// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's MOV to CR4 where the backend exits for it and leaves it to
 * the core: SVM, which intercepts every CR4 write as KVM does. Otherwise
 * the CPU would check the new value against its own features, so a guest
 * could set a bit its CPUID withholds, or one l1vmm does not offer at all
 * (CR4.PKE, and then WRPKRU changes the PKRU the host's user space runs
 * with after the exit). VMX checks the same rules in its own exit
 * (vmx_handle_cr()): there only the bits the guest may not own exit.
 */
#include <asm/trapnr.h>

#include "l1vmm/exit.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/portable/mov_cr.h"
#include "l1vmm/portable/sregs_check.h"
#include "l1vmm/vcpu.h"

/*
 * Without decode assists (QEMU's and Bochs's SVM) only the instruction
 * names the register, so it is fetched and decoded, as for MOV to CR8
 * (l1vmm_lapic_cr8_write()). A value KVM's kvm_set_cr4() refuses is a #GP,
 * and so is a change under PAE paging whose PDPTEs cannot be loaded (the
 * CPU would load them; the guest's nested-paging walks read them from
 * memory, but KVM_GET_SREGS2 reports those loaded). Any other value is the
 * guest's CR4, and the guest's TLB is flushed, as the CPU's MOV to CR4 may
 * do (PGE, PAE, PSE, SMEP; KVM flushes as it must).
 */
int l1vmm_handle_cr4_write(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_guest_view view;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	struct l1vmm_mov_cr insn;
	unsigned int n;
	u64 old, val;

	l1vmm_guest_view(vcpu, &view);
	n = l1vmm_fetch_insn(vcpu, &view, bytes);
	if (l1vmm_decode_mov_to_cr(bytes, n, view.code_size == 8, 4, &insn))
		return l1vmm_emulation_failure(vcpu, 0);
	val = vcpu->regs[insn.gpr];
	if (view.code_size != 8)
		val = (u32)val;
	old = view.paging.cr4;
	if (l1vmm_cr4_write_fault(old, val, view.paging.efer, view.paging.cr3,
				  l1vmm_vcpu_cr4_allowed(vcpu)) ||
	    (l1vmm_cr4_write_loads_pdptes(old, val, view.paging.cr0, view.paging.efer) &&
	     !l1vmm_vcpu_load_pdptrs(vcpu, view.paging.cr3))) {
		l1vmm_queue_exception(vcpu, X86_TRAP_GP, true, 0);
		return 1;
	}
	l1vmm_ops->set_cr4(vcpu, val);
	if (val != old)
		set_bit(L1VMM_REQ_TLB_FLUSH, &vcpu->requests);
	l1vmm_skip_to(vcpu, vcpu->regs[L1VMM_REG_RIP] + insn.len);
	return 1;
}

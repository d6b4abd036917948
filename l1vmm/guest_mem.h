/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest memory as the emulation paths see it: guest-physical addresses
 * through the memory slots, and guest linear addresses through the guest's
 * page tables (l1vmm/gva_walk.c). Copies go through the VMM's mapping of
 * the slot (mmu.h), from the vCPU's task, which runs in the VM's mm.
 */
#ifndef L1VMM_GUEST_MEM_H
#define L1VMM_GUEST_MEM_H

#include <linux/kvm.h>
#include <linux/types.h>

#include "l1vmm/portable/gva_walk.h"
#include "l1vmm/portable/insn_decode.h"

struct l1vmm_vm;
struct l1vmm_vcpu;

/*
 * The vCPU's paging state and CS, read once for one emulated instruction;
 * the other segment bases when l1vmm_linear() first needs one (on VMX,
 * each register is a VMREAD, and most instructions use one segment).
 */
struct l1vmm_guest_view {
	struct l1vmm_vcpu *vcpu;
	struct l1vmm_paging paging;
	bool long_mode;		/* 64-bit code: segment bases other than FS/GS are 0 */
	unsigned int code_size;	/* 2, 4 or 8: the default operand size */
	unsigned int bases_read;	/* BIT(L1VMM_SEG_*): seg_base[] holds it */
	u64 seg_base[L1VMM_SEG_GS + 1];
};

void l1vmm_guest_view(struct l1vmm_vcpu *vcpu, struct l1vmm_guest_view *view);

/*
 * The guest's CS in @cs; true where it runs 64-bit code (EFER.LMA and
 * CS.L, KVM's is_64_bit_mode()). Two reads, not KVM_GET_SREGS's state.
 */
bool l1vmm_guest_cs(struct l1vmm_vcpu *vcpu, struct kvm_segment *cs);

/* The linear address of @offset in segment @seg (L1VMM_SEG_*). */
u64 l1vmm_linear(struct l1vmm_guest_view *view, int seg, u64 offset);

/* Read guest-physical memory within one page: 0 or -EFAULT (no slot). */
int l1vmm_read_gpa(struct l1vmm_vm *vm, u64 gpa, void *buf, unsigned int len);

/*
 * Read (@write false) or write guest-physical memory, any length, from the
 * VM's own process: 0, or -EFAULT where no slot backs a page, a write
 * meets a read-only slot, or the user mapping faults. Writes mark the
 * pages dirty.
 */
int l1vmm_copy_gpa(struct l1vmm_vm *vm, u64 gpa, void *buf, unsigned int len, bool write);

/*
 * The guest-physical address of linear address @gva: 0, or -EFAULT when
 * the guest does not map it or a table on the way is not backed by a slot.
 */
int l1vmm_translate_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
			   u64 gva, u64 *gpa);

/*
 * Copy to or from guest linear memory. Returns 0, -EFAULT when a page is
 * not mapped by the guest or not backed by a slot, or -EPERM when writing
 * to a read-only slot. Reads stop at the first failing byte; *@done, when
 * given, says how many bytes were copied.
 */
int l1vmm_read_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
		      u64 gva, void *buf, unsigned int len, unsigned int *done);
int l1vmm_write_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
		       u64 gva, const void *buf, unsigned int len);

/*
 * Read the instruction at CS:RIP into @bytes (L1VMM_MAX_INSN_LEN of room);
 * returns how many bytes were readable.
 */
unsigned int l1vmm_fetch_insn(struct l1vmm_vcpu *vcpu, struct l1vmm_guest_view *view,
			      u8 *bytes);

#endif /* L1VMM_GUEST_MEM_H */

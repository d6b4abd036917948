// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest memory for the emulation paths; see guest_mem.h.
 */
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>

#include "l1vmm/backend.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/mmu.h"
#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/portable/msrs.h"
#include "l1vmm/vcpu.h"
#include "l1vmm/vm.h"

/*
 * Copy within one guest page, through the VMM's mapping of it as KVM's
 * kvm_read_guest() does: the vCPU's task runs in the VM's mm (vcpu.c
 * refuses others), and the user copy faults the page in as user space's
 * own access would.
 */
static int copy_gpa_page(struct l1vmm_vm *vm, u64 gpa, void *buf, unsigned int len,
			 bool write)
{
	unsigned long hva;
	int r;

	r = l1vmm_gfn_to_hva(vm, gpa >> PAGE_SHIFT, write, &hva);
	if (r)
		return r;
	hva += offset_in_page(gpa);
	if (!write)
		return copy_from_user(buf, (void __user *)hva, len) ? -EFAULT : 0;
	if (copy_to_user((void __user *)hva, buf, len))
		return -EFAULT;
	l1vmm_mark_page_dirty(vm, gpa >> PAGE_SHIFT);
	return 0;
}

/*
 * Across pages, as KVM's kvm_read_guest()/kvm_write_guest(): each page's
 * slot is looked up under the MMU lock and the copy done after it, so
 * that a fault never waits with a lock held; a slot deleted in between
 * leaves the copy in user memory the process still owns.
 */
int l1vmm_copy_gpa(struct l1vmm_vm *vm, u64 gpa, void *buf, unsigned int len, bool write)
{
	might_fault();
	if (vm->mm != current->mm)
		return -EFAULT;
	while (len) {
		unsigned int n = min_t(unsigned int, len, PAGE_SIZE - offset_in_page(gpa));

		if (copy_gpa_page(vm, gpa, buf, n, write))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int l1vmm_read_gpa(struct l1vmm_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EFAULT;
	return copy_gpa_page(vm, gpa, buf, len, false);
}

struct pte_reader {
	struct l1vmm_vm *vm;
};

static int read_pte(void *ctx, u64 gpa, unsigned int size, u64 *pte)
{
	struct pte_reader *r = ctx;

	*pte = 0;
	if (offset_in_page(gpa) + size > PAGE_SIZE)
		return -EFAULT;
	return copy_gpa_page(r->vm, gpa, pte, size, false);
}

bool l1vmm_guest_cs(struct l1vmm_vcpu *vcpu, struct kvm_segment *cs)
{
	l1vmm_ops->get_segment(vcpu, L1VMM_SEG_CS, cs);
	return (l1vmm_ops->get_msr(vcpu, L1VMM_MSR_EFER) & EFER_LMA) && cs->l;
}

void l1vmm_guest_view(struct l1vmm_vcpu *vcpu, struct l1vmm_guest_view *view)
{
	struct kvm_segment cs;
	u64 efer = l1vmm_ops->get_msr(vcpu, L1VMM_MSR_EFER);

	l1vmm_ops->get_segment(vcpu, L1VMM_SEG_CS, &cs);
	view->vcpu = vcpu;
	view->paging = (struct l1vmm_paging){
		.cr0 = l1vmm_ops->get_cr0(vcpu), .cr3 = l1vmm_ops->get_cr3(vcpu),
		.cr4 = l1vmm_ops->get_cr4(vcpu), .efer = efer,
	};
	view->long_mode = (efer & EFER_LMA) && cs.l;
	view->code_size = view->long_mode ? 8 : cs.db ? 4 : 2;
	view->seg_base[L1VMM_SEG_CS] = cs.base;
	view->bases_read = BIT(L1VMM_SEG_CS);
}

u64 l1vmm_linear(struct l1vmm_guest_view *view, int seg, u64 offset)
{
	struct kvm_segment s;

	seg = array_index_nospec(seg, ARRAY_SIZE(view->seg_base));
	if (view->long_mode && seg < L1VMM_SEG_FS)
		return offset;
	if (!(view->bases_read & BIT(seg))) {
		l1vmm_ops->get_segment(view->vcpu, seg, &s);
		view->seg_base[seg] = s.base;
		view->bases_read |= BIT(seg);
	}
	if (view->long_mode)
		return view->seg_base[seg] + offset;
	return (u32)(view->seg_base[seg] + offset);
}

static int copy_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
		       u64 gva, void *buf, unsigned int len, bool write, unsigned int *done)
{
	struct pte_reader reader = { .vm = vcpu->vm };
	unsigned int copied = 0;
	int r = 0;

	while (copied < len) {
		unsigned int chunk = min_t(u64, len - copied, PAGE_SIZE - offset_in_page(gva));
		u64 gpa;

		r = l1vmm_gva_to_gpa(&view->paging, gva, read_pte, &reader, &gpa);
		if (!r)
			r = copy_gpa_page(vcpu->vm, gpa, buf + copied, chunk, write);
		if (r)
			break;
		copied += chunk;
		gva += chunk;
		if (!view->long_mode)
			gva = (u32)gva;
	}
	if (done)
		*done = copied;
	return r;
}

int l1vmm_translate_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
			   u64 gva, u64 *gpa)
{
	struct pte_reader reader = { .vm = vcpu->vm };

	return l1vmm_gva_to_gpa(&view->paging, gva, read_pte, &reader, gpa);
}

int l1vmm_read_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
		      u64 gva, void *buf, unsigned int len, unsigned int *done)
{
	return copy_linear(vcpu, view, gva, buf, len, false, done);
}

int l1vmm_write_linear(struct l1vmm_vcpu *vcpu, const struct l1vmm_guest_view *view,
		       u64 gva, const void *buf, unsigned int len)
{
	return copy_linear(vcpu, view, gva, (void *)buf, len, true, NULL);
}

unsigned int l1vmm_fetch_insn(struct l1vmm_vcpu *vcpu, struct l1vmm_guest_view *view,
			      u8 *bytes)
{
	unsigned int n;

	l1vmm_read_linear(vcpu, view, l1vmm_linear(view, L1VMM_SEG_CS, vcpu->regs[L1VMM_REG_RIP]),
			  bytes, L1VMM_MAX_INSN_LEN, &n);
	return n;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The SVM backend's guest state: segments and control registers, RFLAGS,
 * the MSRs the VMCB holds, the event to inject, the interrupt shadow and
 * window, debug registers. Each setter marks the VMCB clean bits it
 * invalidates; the accessors the fastpath needs are inline in svm.h.
 */
#include <linux/nospec.h>

#include "l1vmm/portable/insn_decode.h"
#include "l1vmm/svm/svm.h"

static void seg_to_kvm(const struct vmcb_seg *s, struct kvm_segment *k)
{
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->attrib & SVM_SELECTOR_TYPE_MASK;
	k->s = !!(s->attrib & SVM_SELECTOR_S_MASK);
	k->dpl = (s->attrib & SVM_SELECTOR_DPL_MASK) >> SVM_SELECTOR_DPL_SHIFT;
	k->present = !!(s->attrib & SVM_SELECTOR_P_MASK);
	k->avl = !!(s->attrib & SVM_SELECTOR_AVL_MASK);
	k->l = !!(s->attrib & SVM_SELECTOR_L_MASK);
	k->db = !!(s->attrib & SVM_SELECTOR_DB_MASK);
	k->g = !!(s->attrib & SVM_SELECTOR_G_MASK);
	k->unusable = !k->present;
	k->padding = 0;
}

static void kvm_to_seg(const struct kvm_segment *k, struct vmcb_seg *s)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->attrib = 0;
	if (k->unusable)
		return;
	s->attrib = (k->type & SVM_SELECTOR_TYPE_MASK) |
		    (k->s ? SVM_SELECTOR_S_MASK : 0) |
		    ((k->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
		    (k->present ? SVM_SELECTOR_P_MASK : 0) |
		    (k->avl ? SVM_SELECTOR_AVL_MASK : 0) |
		    (k->l ? SVM_SELECTOR_L_MASK : 0) |
		    (k->db ? SVM_SELECTOR_DB_MASK : 0) |
		    (k->g ? SVM_SELECTOR_G_MASK : 0);
}

void svm_get_sregs(struct l1vmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_save_area *save = &svm->vmcb->save;

	seg_to_kvm(&save->cs, &sregs->cs);
	seg_to_kvm(&save->ds, &sregs->ds);
	seg_to_kvm(&save->es, &sregs->es);
	seg_to_kvm(&save->fs, &sregs->fs);
	seg_to_kvm(&save->gs, &sregs->gs);
	seg_to_kvm(&save->ss, &sregs->ss);
	seg_to_kvm(&save->tr, &sregs->tr);
	seg_to_kvm(&save->ldtr, &sregs->ldt);
	sregs->gdt.base = save->gdtr.base;
	sregs->gdt.limit = save->gdtr.limit;
	sregs->idt.base = save->idtr.base;
	sregs->idt.limit = save->idtr.limit;
	sregs->cr0 = save->cr0;
	sregs->cr2 = save->cr2;
	sregs->cr3 = save->cr3;
	sregs->cr4 = save->cr4;
	sregs->cr8 = svm->vmcb->control.int_ctl & V_TPR_MASK;
	sregs->efer = save->efer & ~EFER_SVME;
}

void svm_get_segment(struct l1vmm_vcpu *vcpu, int seg, struct kvm_segment *s)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;
	const struct vmcb_seg *segs[] = {
		[L1VMM_SEG_ES] = &save->es, [L1VMM_SEG_CS] = &save->cs,
		[L1VMM_SEG_SS] = &save->ss, [L1VMM_SEG_DS] = &save->ds,
		[L1VMM_SEG_FS] = &save->fs, [L1VMM_SEG_GS] = &save->gs,
	};

	seg_to_kvm(segs[array_index_nospec(seg, ARRAY_SIZE(segs))], s);
}

void svm_set_sregs(struct l1vmm_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_save_area *save = &svm->vmcb->save;

	kvm_to_seg(&sregs->cs, &save->cs);
	kvm_to_seg(&sregs->ds, &save->ds);
	kvm_to_seg(&sregs->es, &save->es);
	kvm_to_seg(&sregs->fs, &save->fs);
	kvm_to_seg(&sregs->gs, &save->gs);
	kvm_to_seg(&sregs->ss, &save->ss);
	kvm_to_seg(&sregs->tr, &save->tr);
	kvm_to_seg(&sregs->ldt, &save->ldtr);
	/* The CPL is SS.DPL, as KVM keeps it. */
	save->cpl = sregs->ss.dpl & 3;
	save->gdtr.base = sregs->gdt.base;
	save->gdtr.limit = sregs->gdt.limit;
	save->idtr.base = sregs->idt.base;
	save->idtr.limit = sregs->idt.limit;
	save->cr0 = sregs->cr0;
	save->cr2 = sregs->cr2;
	save->cr3 = sregs->cr3;
	save->cr4 = sregs->cr4;
	save->efer = sregs->efer | EFER_SVME;

	mark_dirty(svm, CLEAN_SEG);
	mark_dirty(svm, CLEAN_DT);
	mark_dirty(svm, CLEAN_CRX);
	mark_dirty(svm, CLEAN_CR2);
}

void svm_set_rflags(struct l1vmm_vcpu *vcpu, unsigned long rflags)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.rflags = rflags;
}

void svm_get_event(struct l1vmm_vcpu *vcpu, struct l1vmm_event *ev)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 inj = svm->vmcb->control.event_inj;

	ev->valid = inj & SVM_EVTINJ_VALID;
	ev->type = (inj & SVM_EVTINJ_TYPE_MASK) >> SVM_EVTINJ_TYPE_SHIFT;
	ev->vector = inj & SVM_EVTINJ_VEC_MASK;
	ev->has_error = inj & SVM_EVTINJ_VALID_ERR;
	ev->error = svm->vmcb->control.event_inj_err;
}

void svm_set_event(struct l1vmm_vcpu *vcpu, const struct l1vmm_event *ev)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = 0;
	c->event_inj_err = 0;
	if (!ev->valid)
		return;
	c->event_inj = ev->vector | (ev->type << SVM_EVTINJ_TYPE_SHIFT) | SVM_EVTINJ_VALID |
		       (ev->has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = ev->error;
}

/* SVM has one shadow bit for both: KVM reports it as both, and so does l1vmm. */
u8 svm_get_interrupt_shadow(struct l1vmm_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK ?
	       KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI : 0;
}

/*
 * The interrupt window: a virtual interrupt (V_IRQ) of the highest priority
 * that ignores the guest's TPR, with VINTR intercepted, exits as soon as the
 * guest could take an interrupt (KVM's svm_set_vintr()).
 */
void svm_set_irq_window(struct l1vmm_vcpu *vcpu, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 bits = V_IRQ_MASK | V_IGN_TPR_MASK | V_INTR_PRIO_MASK;
	u32 mask = BIT(INTERCEPT_VINTR % 32);
	u32 *word = &c->intercepts[INTERCEPT_VINTR / 32];

	if (!!(*word & mask) == on)
		return;
	if (on) {
		*word |= mask;
		c->int_ctl |= bits;
		c->int_vector = 0;
	} else {
		*word &= ~mask;
		c->int_ctl &= ~bits;
	}
	mark_dirty(svm, CLEAN_INTERCEPTS);
	mark_dirty(svm, CLEAN_INT_CTL);
}

u64 svm_get_dr6(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->save.dr6;
}

void svm_set_dr6(struct l1vmm_vcpu *vcpu, u64 value)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.dr6 = value;
	mark_dirty(svm, CLEAN_DRX);
}

u64 svm_get_dr7(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->save.dr7;
}

void svm_set_dr7(struct l1vmm_vcpu *vcpu, u64 value)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.dr7 = value;
	mark_dirty(svm, CLEAN_DRX);
}

/* MOV from and to DR0-DR7: the whole intercept word but its reserved bits. */
void svm_set_dr_intercepts(struct l1vmm_vcpu *vcpu, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 mask = GENMASK(INTERCEPT_DR7_READ % 32, INTERCEPT_DR0_READ % 32) |
		   GENMASK(INTERCEPT_DR7_WRITE % 32, INTERCEPT_DR0_WRITE % 32);

	svm->vmcb->control.intercepts[INTERCEPT_DR0_READ / 32] = on ? mask : 0;
	mark_dirty(svm, CLEAN_INTERCEPTS);
}

void svm_set_exception_intercept(struct l1vmm_vcpu *vcpu, u8 vector, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 *word = &svm->vmcb->control.intercepts[INTERCEPT_EXCEPTION];

	if (!!(*word & BIT(vector)) == on)
		return;
	*word ^= BIT(vector);
	mark_dirty(svm, CLEAN_INTERCEPTS);
}

/* As KVM without vNMI: the IRET that ends the guest's NMI handler exits first. */
void svm_set_iret_intercept(struct l1vmm_vcpu *vcpu, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 *word = &svm->vmcb->control.intercepts[INTERCEPT_IRET / 32];
	u32 mask = BIT(INTERCEPT_IRET % 32);

	if (!!(*word & mask) == on)
		return;
	*word ^= mask;
	mark_dirty(svm, CLEAN_INTERCEPTS);
}

u64 svm_get_cr8(struct l1vmm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->backend;

	return svm->vmcb->control.int_ctl & V_TPR_MASK;
}

void svm_set_cr8(struct l1vmm_vcpu *vcpu, u64 cr8)
{
	struct svm_vcpu *svm = vcpu->backend;
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (cr8 & V_TPR_MASK);
	mark_dirty(svm, CLEAN_INT_CTL);
}

void svm_set_cr4(struct l1vmm_vcpu *vcpu, u64 cr4)
{
	struct svm_vcpu *svm = vcpu->backend;

	svm->vmcb->save.cr4 = cr4;
	mark_dirty(svm, CLEAN_CRX);
}

void svm_set_cr8_intercept(struct l1vmm_vcpu *vcpu, bool on)
{
	struct svm_vcpu *svm = vcpu->backend;
	u32 *word = &svm->vmcb->control.intercepts[INTERCEPT_CR8_WRITE / 32];
	u32 mask = BIT(INTERCEPT_CR8_WRITE % 32);

	if (!!(*word & mask) == on)
		return;
	*word ^= mask;
	mark_dirty(svm, CLEAN_INTERCEPTS);
}

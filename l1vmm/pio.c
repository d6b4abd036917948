// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O, reflected to user space through the PIO data page as KVM does:
 * IN and OUT of 1, 2 or 4 bytes, and the string forms INS and OUTS with or
 * without REP.
 *
 * A string instruction moves at most one page of data per exit
 * (kvm_run.io.count items). When a REP instruction has more to do, RIP stays
 * on it and RCX says how much is left: the guest executes it again after
 * the next entry and exits for the next page.
 */
#define pr_fmt(fmt) "l1vmm: " fmt

#include <linux/kvm.h>
#include <linux/mm.h>

#include "l1vmm/exit.h"
#include "l1vmm/guest_mem.h"
#include "l1vmm/coalesced_mmio.h"
#include "l1vmm/ioeventfd.h"
#include "l1vmm/irqchip.h"
#include "l1vmm/pit.h"
#include "l1vmm/trace.h"
#include "l1vmm/vm.h"

static void exit_to_user(struct l1vmm_vcpu *vcpu, bool in, unsigned int size,
			 unsigned int count)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = vcpu->exit.io.port;
	run->io.count = count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
}

/* An IN that user space answered: the data goes into AL, AX or EAX. */
static int complete_in(struct l1vmm_vcpu *vcpu)
{
	unsigned long *rax = &vcpu->regs[L1VMM_REG_RAX];
	unsigned int size = vcpu->pending.pio_size;
	u32 val = 0;

	memcpy(&val, vcpu->pio_data, size);
	trace_l1vmm_pio(L1VMM_PIO_IN, vcpu->exit.io.port, size, 1, vcpu->pio_data);
	*rax = l1vmm_merge_reg(*rax, val, size);
	vcpu->regs_dirty |= BIT(L1VMM_REG_RAX);
	l1vmm_skip_to(vcpu, vcpu->pending.next_rip);
	return 1;
}

/* An OUT that user space has seen. */
static int complete_out(struct l1vmm_vcpu *vcpu)
{
	l1vmm_skip_to(vcpu, vcpu->pending.next_rip);
	return 1;
}

/*
 * Step RSI or RDI over @count items of @size bytes in the direction of
 * RFLAGS.DF, within the address size, and leave RCX and RIP where the
 * instruction leaves them.
 */
static void string_advance(struct l1vmm_vcpu *vcpu, unsigned int index_reg,
			   unsigned int size, unsigned int count, unsigned int addr_size,
			   bool rep, u64 next_rip)
{
	unsigned long *r = vcpu->regs;
	bool down = l1vmm_ops->get_rflags(vcpu) & X86_EFLAGS_DF;
	u64 step = (u64)size * count;
	u64 left = 0;

	r[index_reg] = l1vmm_merge_reg(r[index_reg], down ? r[index_reg] - step :
				       r[index_reg] + step, addr_size);
	vcpu->regs_dirty |= BIT(index_reg);
	if (rep) {
		left = (r[L1VMM_REG_RCX] & l1vmm_size_mask(addr_size)) - count;
		r[L1VMM_REG_RCX] = l1vmm_merge_reg(r[L1VMM_REG_RCX], left, addr_size);
		vcpu->regs_dirty |= BIT(L1VMM_REG_RCX);
	}
	if (!rep || !left)
		l1vmm_skip_to(vcpu, next_rip);
	else	/* more to do: the guest executes it again, but has made progress */
		l1vmm_ops->set_interrupt_shadow(vcpu, false);
}

/*
 * Copy @count items between the PIO page and the guest's string at
 * @seg:@index_reg, item by item in the direction of RFLAGS.DF.
 */
static int string_copy(struct l1vmm_vcpu *vcpu, struct l1vmm_guest_view *view,
		       int seg, unsigned int index_reg, unsigned int size, unsigned int count,
		       unsigned int addr_size, bool to_guest)
{
	bool down = l1vmm_ops->get_rflags(vcpu) & X86_EFLAGS_DF;
	u64 offset = vcpu->regs[index_reg];
	unsigned int i;
	int r;

	for (i = 0; i < count; i++) {
		u64 gva = l1vmm_linear(view, seg, offset & l1vmm_size_mask(addr_size));
		void *item = vcpu->pio_data + i * size;

		r = to_guest ? l1vmm_write_linear(vcpu, view, gva, item, size) :
			       l1vmm_read_linear(vcpu, view, gva, item, size, NULL);
		if (r)
			return r;
		offset = down ? offset - size : offset + size;
	}
	return 0;
}

/*
 * A string port read that user space answered. User space may have changed
 * RCX (KVM_SET_REGS) while it looked at the exit: KVM's emulator reads RCX
 * again when it completes the instruction, so store no more items than RCX
 * now asks for (none when it is 0: the instruction retires), and never more
 * than user space supplied; a larger RCX is left for the next exit. KVM
 * does not support changing the count (x86.c, emulator_pio_in_emulated()),
 * it only must not overflow anything.
 */
static int complete_string_in(struct l1vmm_vcpu *vcpu)
{
	typeof(vcpu->pending.string_in) *s = &vcpu->pending.string_in;
	struct l1vmm_guest_view view;
	unsigned int count = s->count;

	if (s->rep)
		count = min_t(u64, count,
			      vcpu->regs[L1VMM_REG_RCX] & l1vmm_size_mask(s->addr_size));
	trace_l1vmm_pio(L1VMM_PIO_IN, vcpu->exit.io.port, s->size, count, vcpu->pio_data);
	l1vmm_guest_view(vcpu, &view);
	if (string_copy(vcpu, &view, L1VMM_SEG_ES, L1VMM_REG_RDI, s->size, count,
			s->addr_size, true))
		return l1vmm_emulation_failure(vcpu, 0);
	string_advance(vcpu, L1VMM_REG_RDI, s->size, count, s->addr_size, s->rep,
		       vcpu->pending.next_rip);
	return 1;
}

/*
 * What the exit does not always say, from the instruction's prefixes: the
 * segment of OUTS (DS unless overridden; INS always writes ES) and the
 * address size (SVM reports it only with decode assists).
 */
static void string_operands(struct l1vmm_vcpu *vcpu, struct l1vmm_guest_view *view,
			    int *seg, unsigned int *addr_size)
{
	struct l1vmm_prefixes prefixes;
	u8 bytes[L1VMM_MAX_INSN_LEN];
	unsigned int n;

	n = l1vmm_fetch_insn(vcpu, view, bytes);
	l1vmm_insn_prefixes(bytes, n, &prefixes);
	*seg = prefixes.seg >= 0 ? prefixes.seg : L1VMM_SEG_DS;
	if (!*addr_size)
		*addr_size = l1vmm_addr_size(view->code_size, prefixes.addr_size_override);
}

/*
 * The items of an OUTS that go the same way as its first: to an ioeventfd
 * (each one signals it) or to user space. KVM emulates OUTS one item at a
 * time, each one going its own way; l1vmm, which gives user space a page
 * at a time, cuts the run where the way changes.
 */
static unsigned int string_out_split(struct l1vmm_vcpu *vcpu, unsigned int size,
				     unsigned int count, bool *to_eventfd)
{
	struct l1vmm_vm *vm = vcpu->vm;
	unsigned int i;
	u32 val = 0;
	bool hit;

	*to_eventfd = false;
	if (likely(!rcu_access_pointer(vm->ioeventfds)))
		return count;
	/* Signal only along a run that the first item started on an eventfd. */
	for (i = 0; i < count; i++) {
		memcpy(&val, vcpu->pio_data + i * size, size);
		hit = __l1vmm_ioeventfd_write(vm, L1VMM_IOBUS_PIO, vcpu->exit.io.port, size,
					      val, !i || *to_eventfd);
		if (!i)
			*to_eventfd = hit;
		else if (hit != *to_eventfd)
			break;
	}
	return i;
}

static int handle_string_io(struct l1vmm_vcpu *vcpu)
{
	const struct l1vmm_exit *e = &vcpu->exit;
	unsigned int size = e->io.size, addr_size = e->io.addr_size;
	struct l1vmm_guest_view view;
	bool to_eventfd;
	u64 count = 1;
	int seg;

	l1vmm_guest_view(vcpu, &view);
	string_operands(vcpu, &view, &seg, &addr_size);
	if (addr_size != 2 && addr_size != 4 && addr_size != 8)
		return l1vmm_emulation_failure(vcpu, 0);
	if (e->io.rep) {
		count = vcpu->regs[L1VMM_REG_RCX] & l1vmm_size_mask(addr_size);
		if (!count) {
			l1vmm_skip_instruction(vcpu);
			return 1;
		}
	}
	count = min_t(u64, count, PAGE_SIZE / size);

	if (e->io.in) {
		l1vmm_complete_later(vcpu, complete_string_in, e->next_rip);
		vcpu->pending.string_in.size = size;
		vcpu->pending.string_in.addr_size = addr_size;
		vcpu->pending.string_in.rep = e->io.rep;
		vcpu->pending.string_in.count = count;
	} else {
		if (string_copy(vcpu, &view, seg, L1VMM_REG_RSI, size, count, addr_size, false))
			return l1vmm_emulation_failure(vcpu, 0);
		count = string_out_split(vcpu, size, count, &to_eventfd);
		string_advance(vcpu, L1VMM_REG_RSI, size, count, addr_size, e->io.rep,
			       e->next_rip);
		if (to_eventfd)
			return 1;
		trace_l1vmm_pio(L1VMM_PIO_OUT, e->io.port, size, count, vcpu->pio_data);
	}
	exit_to_user(vcpu, e->io.in, size, count);
	return 0;
}

int l1vmm_handle_io(struct l1vmm_vcpu *vcpu)
{
	const struct l1vmm_exit *e = &vcpu->exit;

	if (e->io.size != 1 && e->io.size != 2 && e->io.size != 4)
		return l1vmm_emulation_failure(vcpu, 0);
	if (e->io.string)
		return handle_string_io(vcpu);
	/* The in-kernel PIT's and PIC's ports. */
	if (l1vmm_pit_pio(vcpu, e->io.port, e->io.in, e->io.size, &vcpu->regs[L1VMM_REG_RAX]) ||
	    (vcpu->lapic && l1vmm_irqchip_pio(vcpu, e->io.port, e->io.in, e->io.size,
					      &vcpu->regs[L1VMM_REG_RAX]))) {
		vcpu->regs_dirty |= BIT(L1VMM_REG_RAX);
		l1vmm_skip_instruction(vcpu);
		return 1;
	}

	if (e->io.in) {
		l1vmm_complete_later(vcpu, complete_in, e->next_rip);
		vcpu->pending.pio_size = e->io.size;
	} else {
		if (l1vmm_ioeventfd_write(vcpu->vm, L1VMM_IOBUS_PIO, e->io.port, e->io.size,
					  vcpu->regs[L1VMM_REG_RAX]) ||
		    l1vmm_coalesced_write(vcpu->vm, L1VMM_IOBUS_PIO, e->io.port, e->io.size,
					  &vcpu->regs[L1VMM_REG_RAX])) {
			l1vmm_skip_instruction(vcpu);
			return 1;
		}
		memcpy(vcpu->pio_data, &vcpu->regs[L1VMM_REG_RAX], e->io.size);
		trace_l1vmm_pio(L1VMM_PIO_OUT, e->io.port, e->io.size, 1, vcpu->pio_data);
		/*
		 * KVM's OUT_7E_INC_RIP quirk (kvm_fast_pio_out()): an OUT to
		 * port 0x7e retires before user space sees it, RIP past it.
		 */
		if (e->io.port == 0x7e && l1vmm_has_quirk(vcpu->vm, KVM_X86_QUIRK_OUT_7E_INC_RIP))
			l1vmm_skip_instruction(vcpu);
		else
			l1vmm_complete_later(vcpu, complete_out, e->next_rip);
	}
	exit_to_user(vcpu, e->io.in, e->io.size, 1);
	return 0;
}

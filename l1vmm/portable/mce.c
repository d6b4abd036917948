// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's machine-check architecture; see mce.h. Register layouts from
 * the Intel SDM vol. 3 ("Machine-Check Architecture") and the AMD APM vol. 2.
 */
#include "l1vmm/portable/mce.h"

#define MCG_CAP_COUNT		0xffULL
/* MCG_CAP bits KVM_X86_SETUP_MCE takes besides the supported ones: count, extended count. */
#define MCG_CAP_FREE		(MCG_CAP_COUNT | 0xff0000ULL)
#define ALL_ONES		(~0ULL)

static unsigned int nr_banks(const struct l1vmm_mce *m)
{
	return m->mcg_cap & MCG_CAP_COUNT;
}

void l1vmm_mce_init(struct l1vmm_mce *m)
{
	memset(m, 0, sizeof(*m));
	m->mcg_cap = L1VMM_MCE_MAX_BANKS;
}

bool l1vmm_mce_setup(struct l1vmm_mce *m, u64 mcg_cap, u64 keep)
{
	unsigned int n = mcg_cap & MCG_CAP_COUNT, i;

	if (!n || n > L1VMM_MCE_MAX_BANKS)
		return false;
	if (mcg_cap & ~(L1VMM_MCE_CAP_SUPPORTED | MCG_CAP_FREE))
		return false;
	/* What the vendor module keeps: kvm-amd bits 8:0 (AMD has nothing above), kvm-intel all. */
	m->mcg_cap = mcg_cap & keep;
	if (mcg_cap & L1VMM_MCG_CTL_P)
		m->mcg_ctl = ALL_ONES;
	for (i = 0; i < n; i++)
		m->banks[4 * i] = ALL_ONES;
	return true;
}

/* The bank register @index names, or -1 beyond this vCPU's banks. */
static int bank_reg(const struct l1vmm_mce *m, u32 index)
{
	unsigned int n = 4 * nr_banks(m);

	if (index < L1VMM_MSR_MC0_CTL || index - L1VMM_MSR_MC0_CTL >= n)
		return -1;
	return array_index_nospec(index - L1VMM_MSR_MC0_CTL, n);
}

/* A CTL2 MSR of one of this vCPU's banks? */
static bool ctl2_exists(const struct l1vmm_mce *m, u32 index)
{
	return index >= L1VMM_MSR_MC0_CTL2 && index - L1VMM_MSR_MC0_CTL2 < nr_banks(m);
}

int l1vmm_mce_get(const struct l1vmm_mce *m, u32 index, u64 *val, bool host)
{
	int reg;

	switch (index) {
	case L1VMM_MSR_P5_MC_ADDR:
	case L1VMM_MSR_P5_MC_TYPE:
		*val = 0;
		return 0;
	case L1VMM_MSR_MCG_CAP:
		*val = m->mcg_cap;
		return 0;
	case L1VMM_MSR_MCG_STATUS:
		*val = m->mcg_status;
		return 0;
	case L1VMM_MSR_MCG_CTL:
		if (!(m->mcg_cap & L1VMM_MCG_CTL_P) && !host)
			return 1;
		*val = m->mcg_ctl;
		return 0;
	}
	if (ctl2_exists(m, index)) {
		/* No CMCI (KVM offers it with VMX only): always 0, for user space only. */
		if (!host)
			return 1;
		*val = 0;
		return 0;
	}
	reg = bank_reg(m, index);
	if (reg < 0)
		return 1;
	*val = m->banks[reg];
	return 0;
}

int l1vmm_mce_set(struct l1vmm_mce *m, u32 index, u64 val, bool host, bool mci_status_wr)
{
	int reg;

	switch (index) {
	case L1VMM_MSR_MCG_STATUS:
		m->mcg_status = val;
		return 0;
	case L1VMM_MSR_MCG_CTL:
		if (!(m->mcg_cap & L1VMM_MCG_CTL_P) && (val || !host))
			return 1;
		if (val && val != ALL_ONES)
			return 1;
		m->mcg_ctl = val;
		return 0;
	}
	if (ctl2_exists(m, index))
		return val || !host;
	reg = bank_reg(m, index);
	if (reg < 0)
		return 1;
	switch (reg & 3) {
	case 0:
		/*
		 * CTL: 0 or all ones. As KVM, bit 10 may stay clear (Linux's
		 * K8 GART workaround in bank 4) and bit 0 too (UnixWare).
		 */
		if (val && (val | BIT_ULL(10) | 1) != ALL_ONES)
			return 1;
		break;
	case 1:
		/* STATUS: the guest clears it; only AMD's McStatusWrEn lets it write more. */
		if (!host && val && !mci_status_wr)
			return 1;
		break;
	}
	m->banks[reg] = val;
	return 0;
}

/* An uncorrected error that needs no action (UCNA): no #MC, only logged. */
static bool is_ucna(const struct l1vmm_mce_event *e)
{
	return !e->mcg_status &&
	       !(e->status & (L1VMM_MCI_STATUS_PCC | L1VMM_MCI_STATUS_S | L1VMM_MCI_STATUS_AR)) &&
	       (e->status & L1VMM_MCI_STATUS_VAL) && (e->status & L1VMM_MCI_STATUS_UC);
}

enum l1vmm_mce_inject l1vmm_mce_inject(struct l1vmm_mce *m, const struct l1vmm_mce_event *e,
				       bool cr4_mce)
{
	unsigned int n = nr_banks(m);
	u64 status = e->status;
	u64 *bank;

	if (e->bank >= n || !(status & L1VMM_MCI_STATUS_VAL))
		return L1VMM_MCE_INVALID;
	bank = &m->banks[array_index_nospec(4 * e->bank, 4 * n)];

	if (is_ucna(e)) {
		/* Logged; KVM signals CMCI here, which l1vmm (as KVM on AMD) has not. */
		bank[1] = status;
		bank[2] = e->addr;
		bank[3] = e->misc;
		m->mcg_status = e->mcg_status;
		return L1VMM_MCE_DONE;
	}
	if (status & L1VMM_MCI_STATUS_UC) {
		/* Uncorrected errors reporting disabled, globally or for the bank: dropped. */
		if ((m->mcg_cap & L1VMM_MCG_CTL_P) && m->mcg_ctl != ALL_ONES)
			return L1VMM_MCE_DONE;
		if (bank[0] != ALL_ONES)
			return L1VMM_MCE_DONE;
		/* A machine check during one, or with CR4.MCE clear: shutdown. */
		if ((m->mcg_status & L1VMM_MCG_STATUS_MCIP) || !cr4_mce)
			return L1VMM_MCE_SHUTDOWN;
		if (bank[1] & L1VMM_MCI_STATUS_VAL)
			status |= L1VMM_MCI_STATUS_OVER;
		bank[1] = status;
		bank[2] = e->addr;
		bank[3] = e->misc;
		m->mcg_status = e->mcg_status;
		return L1VMM_MCE_RAISE;
	}
	/* Corrected: logged unless an uncorrected error holds the bank. */
	if (!(bank[1] & L1VMM_MCI_STATUS_VAL) || !(bank[1] & L1VMM_MCI_STATUS_UC)) {
		if (bank[1] & L1VMM_MCI_STATUS_VAL)
			status |= L1VMM_MCI_STATUS_OVER;
		bank[1] = status;
		bank[2] = e->addr;
		bank[3] = e->misc;
	} else {
		bank[1] |= L1VMM_MCI_STATUS_OVER;
	}
	return L1VMM_MCE_DONE;
}

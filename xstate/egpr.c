// SPDX-License-Identifier: GPL-2.0-only
/*
 * When R16-R31 are switched (see egpr.h). The design: only when the host
 * has APX and the XCR0 in force while the guest runs has APX. Without
 * XCR0.APX no guest instruction reaches R16-R31 (every REX2 or extended
 * EVEX form is #UD), and XSETBV is intercepted, so the guest runs on the
 * host's registers safely and nothing is moved. The XCR0 in force is the
 * guest's when l1vmm loaded it, else the host's (equal values, or a guest
 * without CR4.OSXSAVE): switching then is the conservative reading.
 *
 * The knobs (Kconfig, doc/knobs.md) replace the condition by "always"
 * (shadow build only) or "never".
 *
 * The shadow build (CONFIG_L1VMM_EGPR_SHADOW) makes the logic testable on
 * CPUs without APX: l1vmm pretends the host has APX, with the area the
 * APX specification gives it (128 bytes at 960, over MPX's), the assembly
 * moves to and from struct l1vmm_egpr_shadow, and after every exit this
 * file checks what it did and counts it in the vCPU's statistics:
 *
 *  - egpr_switches: entries that switched R16-R31 (every build);
 *  - egpr_shadow_loads, egpr_shadow_stores: the assembly's own counts;
 *  - egpr_shadow_bad: exits after which the shadow was wrong: a switch
 *    must leave it zeroed, no switch must leave the host's values alone;
 *  - egpr_store_before_spec_ctrl: switched exits on which R16-R31 were
 *    stored before the host's SPEC_CTRL was restored.
 */

#include "l1vmm/vcpu.h"
#include "xstate/egpr.h"
#include "xstate/guest_xcr0.h"
#include "xstate/portable/layout.h"
#include "xstate/portable/xcr0.h"

/* The APX specification's layout of component 19 (standard format). */
#define APX_AREA_OFFSET		960
#define APX_AREA_SIZE		128

static bool switch_when_apx(const struct l1vmm_vcpu *vcpu)
{
	if (IS_ENABLED(CONFIG_L1VMM_EGPR_SHADOW))
		return l1vmm_xcr0_in_guest(vcpu) & L1VMM_XF(APX);
	return l1vmm_host_xcr0() & l1vmm_xcr0_in_guest(vcpu) & L1VMM_XF(APX);
}

u64 l1vmm_egpr_pretend_xcr0(u64 host_xcr0)
{
	if (!IS_ENABLED(CONFIG_L1VMM_EGPR_SHADOW) || !host_xcr0 ||
	    (host_xcr0 & (L1VMM_XF_MPX | L1VMM_XF(APX))))
		return 0;
	return L1VMM_XF(APX);
}

void l1vmm_egpr_pretend_layout(struct l1vmm_xstate_layout *l)
{
	struct l1vmm_xstate_component *apx = &l->comp[L1VMM_XFEATURE_APX];

	if (!l1vmm_egpr_pretend_xcr0(l->user))
		return;
	*apx = (struct l1vmm_xstate_component){ .size = APX_AREA_SIZE, .offset = APX_AREA_OFFSET };
	l->user |= L1VMM_XF(APX);
}

#ifdef CONFIG_L1VMM_EGPR_SHADOW
/* What the shadow holds while the host owns it: a value per register. */
static unsigned long host_value(unsigned int n)
{
	return 0x484f535400000000ul | n;	/* "HOST" */
}

unsigned long l1vmm_egpr_enter(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_egpr_shadow *sh = &vcpu->egpr_shadow;
	bool on = IS_ENABLED(CONFIG_L1VMM_EGPR_SWITCH_ALWAYS) ||
		  (IS_ENABLED(CONFIG_L1VMM_EGPR_SWITCH_CONDITIONAL) && switch_when_apx(vcpu));
	unsigned int n;

	for (n = 0; n < L1VMM_NR_EGPRS; n++)
		sh->r[n] = host_value(n);
	sh->spec_ctrl_at = 0;
	sh->stored_at = 0;
	return on ? (unsigned long)sh : 0;
}

void l1vmm_egpr_exit(struct l1vmm_vcpu *vcpu)
{
	struct l1vmm_egpr_shadow *sh = &vcpu->egpr_shadow;
	struct l1vmm_vcpu_stats *st = &vcpu->stats;
	unsigned long egprs = vcpu->egprs;
	bool bad = false;
	unsigned int n;

	for (n = 0; n < L1VMM_NR_EGPRS; n++)
		bad |= sh->r[n] != (egprs ? 0 : host_value(n));
	st->egpr_shadow_bad += bad;
	st->egpr_shadow_loads = sh->loads;
	st->egpr_shadow_stores = sh->stores;
	if (!egprs)
		return;
	st->egpr_switches++;
	if (!sh->spec_ctrl_at || sh->stored_at < sh->spec_ctrl_at)
		st->egpr_store_before_spec_ctrl++;
}

void l1vmm_egpr_spec_ctrl_restored(unsigned long egprs)
{
	struct l1vmm_egpr_shadow *sh = (struct l1vmm_egpr_shadow *)egprs;

	if (sh)
		sh->spec_ctrl_at = ++sh->clock;
}
#else
unsigned long l1vmm_egpr_enter(struct l1vmm_vcpu *vcpu)
{
	return IS_ENABLED(CONFIG_L1VMM_EGPR_SWITCH_CONDITIONAL) && switch_when_apx(vcpu);
}

void l1vmm_egpr_exit(struct l1vmm_vcpu *vcpu)
{
	vcpu->stats.egpr_switches += vcpu->egprs != 0;
}

void l1vmm_egpr_spec_ctrl_restored(unsigned long egprs)
{
}
#endif

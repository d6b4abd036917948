/*
 * Automatically generated file; DO NOT EDIT.
 * l1vmm: a nested-virtualization L1 hypervisor module
 */
#define CONFIG_L1VMM_SVM 1
#define CONFIG_L1VMM_STATS 1
#define CONFIG_L1VMM_FASTPATH 1
#define CONFIG_L1VMM_VMX 1
#define CONFIG_L1VMM_APX_EGPR 1
